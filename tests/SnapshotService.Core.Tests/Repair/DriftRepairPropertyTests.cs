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
/// changed and records removed inside committed segments — is found with its exact keys,
/// repaired through the log, and a second run reports zero drift with the export equal to the
/// source. Invariant 6 along the way: no key's source version ever goes backwards in the log.
/// </summary>
public sealed class DriftRepairPropertyTests
{
    private static readonly Gen<Case> Cases =
        Gen.Select(Gen.Int[1, 10_000], Gen.Int[0, 60], Gen.Int[0, 60], Gen.OneOf(Gen.Const(1), Gen.Const(6), Gen.Const(16)), Gen.Int[0, 35], Gen.Int[0, 3], Gen.Int[0, 3], Gen.Int[8, 40])
            .Select((seed, drop, duplicate, reorder, deletes, changed, removed, rangeKeys) => new Case(seed, drop, duplicate, reorder, deletes, changed, removed, rangeKeys));

    [Fact]
    public async Task injected_drift_is_found_exactly_repaired_and_the_next_run_is_aligned()
    {
        var repairedTotal = 0L;
        await Cases.SampleAsync(async c =>
        {
            var harness = await RepairHarness.CaptureAsync(new SimulatedSourceOptions
            {
                Seed = c.Seed,
                KeySpace = 150,
                DocumentBytes = 80,
                DeletePercent = c.DeletePercent,
                ChangesPerSecond = 0,
                MaxChanges = 1_200,
                Faults = new SimulatedFaultOptions { DropPerMille = c.Drop, DuplicatePerMille = c.Duplicate, ReorderWindow = c.Reorder },
            }, c.MaxKeysPerRange);
            await TamperAsync(harness, c);

            var truth = harness.Truth();
            var expected = DriftOracle.Expected(truth, await harness.ExportStateAsync());

            var (first, found, repair) = await harness.ReconcileAsync(dryRun: false);
            Assert.Equal(ReconciliationStatus.Succeeded, first.Status);
            Assert.Equal(expected, DriftOracle.Found(found));
            // The simulated source scans and point-reads the same state, so every drifted key is
            // written: none was aligned meanwhile, and none is newer in the export than at the source.
            Assert.Equal(0, repair!.NotRepairable);
            Assert.Equal(expected.Count, repair.Repaired);
            Interlocked.Add(ref repairedTotal, repair.Repaired);

            var (second, again, _) = await harness.ReconcileAsync(dryRun: true);
            Assert.True(second.IsAligned, $"after repair the run still found {again.Count} drifted keys: {string.Join(", ", again.Take(5).Select(d => $"{d.Key} {d.Category}"))}");
            Assert.Equal(truth, await harness.ExportStateAsync());
            await AssertNoRecordRegressesAsync(harness);
        }, iter: 30);
        Assert.True(repairedTotal > 30, $"the cases injected too little drift to prove anything ({repairedTotal} keys repaired)");
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

    /// <summary>Walks the log in seq order: a key's source version never decreases, except by records the faults themselves captured out of order before any repair.</summary>
    internal static async Task AssertNoRecordRegressesAsync(RepairHarness harness)
    {
        var repaired = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var record in new ExportLogReader(harness.Store, RepairHarness.SourceId).ReadRecordsAsync(1, harness.Log.Head.LastSeq, default))
        {
            if (record.Origin == ChangeOrigin.Repair)
            {
                repaired[record.Key] = record.SourceVersion;
            }
            else if (repaired.TryGetValue(record.Key, out var version))
            {
                Assert.True(record.SourceVersion > version, $"seq {record.Seq}: {record.Origin} of '{record.Key}' at version {record.SourceVersion} after a repair at version {version}");
            }
        }
    }

    public sealed record Case(int Seed, int Drop, int Duplicate, int Reorder, int DeletePercent, int Changed, int Removed, int MaxKeysPerRange);
}
