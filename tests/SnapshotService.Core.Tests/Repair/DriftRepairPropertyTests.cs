using CsCheck;
using SnapshotService.Core.Tests.Reconciliation;
using SnapshotService.Log;
using SnapshotService.Reconciliation;
using SnapshotService.Simulated;
using SnapshotService.Sources;

namespace SnapshotService.Core.Tests.Repair;

/// <summary>
/// Invariant 7 (reconciliation completeness) over random histories and random drift: every
/// injected drift — events dropped, duplicated or reordered by the simulated source, documents
/// changed and records removed inside committed segments, and capture lag — is found with its
/// exact keys, repaired through the log, and a later run reports zero drift with the export equal
/// to the source. Invariant 6 along the way: capture lags behind the source the run compares with,
/// keeps committing between repair batches, and catches up after the repairs, so repairs meet newer
/// captured versions (they must lose) and late or replayed changes meet newer repairs (they must be
/// dropped); the log is then checked for any key taken back to an older version.
/// </summary>
public sealed class DriftRepairPropertyTests
{
    private static readonly Gen<Case> Cases =
        Gen.Select(
            Gen.Select(Gen.Int[1, 10_000], Gen.Int[0, 60], Gen.Int[0, 60], Gen.OneOf(Gen.Const(1), Gen.Const(6), Gen.Const(16)), Gen.Int[0, 35], Gen.Int[0, 3], Gen.Int[0, 3], Gen.Int[8, 40])
                .Select((seed, drop, duplicate, reorder, deletes, changed, removed, rangeKeys) => new Case(seed, drop, duplicate, reorder, deletes, changed, removed, rangeKeys, 100, 0, 0)),
            Gen.OneOf(Gen.Const(100), Gen.Int[40, 99]),
            Gen.Int[0, 100],
            Gen.OneOf(Gen.Const(0), Gen.Int[1, 4]),
            (c, capturedPercent, cutPercent, interleaveEvery) => c with { CapturedPercent = capturedPercent, CutPercent = cutPercent, InterleaveEvery = interleaveEvery });

    [Fact]
    public async Task injected_drift_is_found_exactly_repaired_without_taking_a_key_back_and_the_next_run_is_aligned()
    {
        long repairedTotal = 0, skippedNewerTotal = 0, droppedByGuardTotal = 0, checkedAfterRepairTotal = 0;
        await Cases.SampleAsync(async c =>
        {
            var options = new SimulatedSourceOptions
            {
                Seed = c.Seed,
                KeySpace = 150,
                DocumentBytes = 80,
                DeletePercent = c.DeletePercent,
                ChangesPerSecond = 0,
                MaxChanges = 1_200,
                Faults = new SimulatedFaultOptions { DropPerMille = c.Drop, DuplicatePerMille = c.Duplicate, ReorderWindow = c.Reorder },
            };
            var harness = await RepairHarness.CaptureAsync(options, c.MaxKeysPerRange, stopAfter: options.MaxChanges * c.CapturedPercent / 100);
            await TamperAsync(harness, c);

            // The run compares with the source at a window boundary no older than anything captured, so
            // every key's repair is at least as new as its captured versions, and every change after the
            // cut is newer than any repair (a reordered window never straddles it).
            var window = harness.Source.History.ReorderWindow;
            var cutAt = harness.CapturedThrough + ((options.MaxChanges - harness.CapturedThrough) * c.CutPercent / 100);
            cutAt = Math.Min(options.MaxChanges, (cutAt + window - 1) / window * window);
            var expected = DriftOracle.Expected(harness.StateAfter(cutAt), await harness.ExportStateAsync());

            var interleave = new Random(c.Seed);
            var (first, found, repair) = await harness.ReconcileAsync(dryRun: false, cutAt, async () =>
            {
                if (c.InterleaveEvery > 0 && !harness.CaughtUp && interleave.Next(c.InterleaveEvery) == 0)
                {
                    await harness.CaptureNextAsync(interleave.Next(1, 40));
                }
            });
            Assert.Equal(ReconciliationStatus.Succeeded, first.Status);
            Assert.Equal(expected, DriftOracle.Found(found));
            // The source is frozen at the cut, so no drifted key is aligned meanwhile and none is newer
            // in the export; a key is skipped only when capture committed it at the repair's version or
            // newer after the comparison, which needs capture to run during the repairs.
            Assert.Equal(0, repair!.NotRepairable);
            Assert.Equal(expected.Count, repair.Repaired + repair.SkippedAligned);
            if (c.InterleaveEvery == 0)
            {
                Assert.Equal(0, repair.SkippedAligned);
            }
            Interlocked.Add(ref repairedTotal, repair.Repaired);
            Interlocked.Add(ref skippedNewerTotal, repair.SkippedAligned);

            // Capture catches up: its late changes older than the repairs must be dropped.
            while (!harness.CaughtUp)
            {
                await harness.CaptureNextAsync(97);
            }
            Interlocked.Add(ref droppedByGuardTotal, harness.DroppedByGuard);

            // The faults after the capture stop leave drift of their own; one more repairing run at the end removes it.
            Assert.Equal(ReconciliationStatus.Succeeded, (await harness.ReconcileAsync(dryRun: false)).Result.Status);
            var (last, again, _) = await harness.ReconcileAsync(dryRun: true);
            Assert.True(last.IsAligned, $"after repair the run still found {again.Count} drifted keys: {string.Join(", ", again.Take(5).Select(d => $"{d.Key} {d.Category}"))}");
            Assert.Equal(harness.Truth(), await harness.ExportStateAsync());
            Interlocked.Add(ref checkedAfterRepairTotal, await AssertNoRecordRegressesAsync(harness));
        }, iter: 30);
        Assert.True(repairedTotal > 30, $"the cases injected too little drift to prove anything ({repairedTotal} keys repaired)");
        Assert.True(skippedNewerTotal > 0, "no repair ever met a newer captured version: the skip-if-newer check was not exercised");
        Assert.True(droppedByGuardTotal > 0, "no late capture change ever met a newer repair: the repair guard was not exercised");
        Assert.True(checkedAfterRepairTotal > 0, "no capture record followed a repair of its key: the regression check had nothing to check");
    }

    private static async Task TamperAsync(RepairHarness harness, Case c)
    {
        var random = new Random(c.Seed);
        var head = harness.Log.Head.LastSeq;
        var upserts = new List<long>();
        await foreach (var record in new ExportLogReader(harness.Store, RepairHarness.SourceId).ReadRecordsAsync(1, head, default))
        {
            if (record.Operation == ChangeOperation.Upsert)
            {
                upserts.Add(record.Seq);
            }
        }
        var picked = upserts.OrderBy(_ => random.Next()).Take(c.Changed + c.Removed).ToList();
        foreach (var seq in picked.Take(c.Changed))
        {
            await ExportTamper.ChangeDocumentAsync(harness.Store, RepairHarness.SourceId, seq, $$"""{"tampered":{{seq}}}""");
        }
        // Removing records shifts line numbers within a segment, so remove from the highest seq down.
        foreach (var seq in picked.Skip(c.Changed).OrderDescending())
        {
            await ExportTamper.RemoveRecordAsync(harness.Store, RepairHarness.SourceId, seq);
        }
    }

    /// <summary>
    /// Walks the log in seq order and checks invariant 6 wherever repair is involved: a repair record
    /// is never older than a version of its key committed before it (a repair never overwrites a
    /// newer captured version), and after a repair at version V no capture or backfill record of the
    /// key is older than V until capture has delivered V or newer (a late or replayed change never
    /// overwrites a newer repair). Capture records the faults reorder among themselves are the
    /// source's doing, not repair's: an older one counts as caught up only when the source emitted V
    /// or newer of the key just before it, in the same reorder window. Returns how many records
    /// followed a repair of their key.
    /// </summary>
    internal static async Task<int> AssertNoRecordRegressesAsync(RepairHarness harness)
    {
        var newest = new Dictionary<string, long>(StringComparer.Ordinal);
        var repaired = new Dictionary<string, long>(StringComparer.Ordinal);
        var checkedAfterRepair = 0;
        await foreach (var record in new ExportLogReader(harness.Store, RepairHarness.SourceId).ReadRecordsAsync(1, harness.Log.Head.LastSeq, default))
        {
            if (record.Origin == ChangeOrigin.Repair)
            {
                if (newest.TryGetValue(record.Key, out var before))
                {
                    Assert.True(record.SourceVersion >= before, $"seq {record.Seq}: the repair of '{record.Key}' at version {record.SourceVersion} overwrote version {before} committed before it");
                }
                repaired[record.Key] = record.SourceVersion;
            }
            else if (repaired.Remove(record.Key, out var version))
            {
                checkedAfterRepair++;
                Assert.True(record.SourceVersion >= version || EmittedBehindANewerChange(harness.Source.History, record.Key, record.SourceVersion, version),
                    $"seq {record.Seq}: a late {record.Origin} of '{record.Key}' at version {record.SourceVersion} overwrote the repair at version {version}");
            }
            newest[record.Key] = Math.Max(record.SourceVersion, newest.GetValueOrDefault(record.Key, long.MinValue));
        }
        return checkedAfterRepair;
    }

    /// <summary>
    /// True when the source emitted a change of <paramref name="key"/> at <paramref name="atLeast"/> or
    /// newer before change <paramref name="version"/>, within the reorder window they share. Capture
    /// had then caught up with the repair (the guard ends there, by design), and the older change
    /// after it is the fault's reordering, which capture without any repair would commit the same way.
    /// </summary>
    private static bool EmittedBehindANewerChange(SimulatedHistory history, string key, long version, long atLeast)
    {
        var windowStart = (version - 1) / history.ReorderWindow * history.ReorderWindow;
        var keyNumber = history.KeyNumberOf(key);
        foreach (var offset in history.WindowOrder(windowStart))
        {
            var n = windowStart + 1 + offset;
            if (n == version)
            {
                return false;
            }
            if (n >= atLeast && !history.IsDropped(n) && history.InfoAt(n).KeyNumber == keyNumber)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// One random history and its drift. CapturedPercent: how much of the history capture has read
    /// before the first run (100: all of it); CutPercent: where the source the run compares with
    /// stands, between that and the end; InterleaveEvery: capture commits a batch before about one in
    /// that many drift items during the run (0: never).
    /// </summary>
    public sealed record Case(int Seed, int Drop, int Duplicate, int Reorder, int DeletePercent, int Changed, int Removed, int MaxKeysPerRange, int CapturedPercent, int CutPercent, int InterleaveEvery);
}
