using SnapshotService.Log;
using SnapshotService.Reconciliation;
using SnapshotService.Simulated;
using SnapshotService.Sources;
using SnapshotService.State;
using SnapshotService.Storage;

namespace SnapshotService.Core.Tests.Reconciliation;

/// <summary>
/// Drift caused by the simulated source's fault knobs, captured through the real export log and
/// compacted into live state, is found exactly: every key whose captured state differs from the
/// true state, with the right category, and nothing else.
/// </summary>
public sealed class SimulatedDriftTests
{
    private const string SourceId = "sim";

    private static SimulatedSourceOptions Options(int drop, int duplicate, int reorder) => new()
    {
        Seed = 7,
        KeySpace = 400,
        DocumentBytes = 100,
        DeletePercent = 20,
        ChangesPerSecond = 0,
        MaxChanges = 4_000,
        Faults = new SimulatedFaultOptions { DropPerMille = drop, DuplicatePerMille = duplicate, ReorderWindow = reorder },
    };

    /// <summary>Captures the whole (capped) emitted stream into an export, compacts it, and returns the export and its naive replay.</summary>
    private static async Task<(InMemoryObjectStore Store, SimulatedSource Source, long HeadSeq, long Underlying, Dictionary<string, (long Version, UInt128 Hash)> Export)> CaptureAsync(SimulatedSourceOptions options)
    {
        var store = new InMemoryObjectStore();
        var source = new SimulatedSource(SourceId, options);
        var log = await ExportLog.OpenAsync(store, SourceId, new ExportLogOptions(), default);
        var export = new Dictionary<string, (long Version, UInt128 Hash)>(StringComparer.Ordinal);
        var position = SourcePosition.Start;
        while (!source.IsAtEnd(position))
        {
            var batch = await source.ReadChangesAsync(position, 257, default);
            foreach (var change in batch.Changes)
            {
                DriftOracle.Apply(export, change);
            }
            await log.AppendAsync(batch.Changes, batch.PositionAfter, default);
            position = batch.PositionAfter;
        }
        await LiveStateCompactor.CompactAsync(store, SourceId, new LiveStateOptions { MaxKeysPerRange = 32 }, default);
        Assert.True(source.TryGetUnderlyingPosition(log.Head.Position, out var underlying));
        return (store, source, log.Head.LastSeq, underlying, export);
    }

    private static async Task<ReconciliationResult> ReconcileAsync(InMemoryObjectStore store, SimulatedSource source, long seq, long underlying, List<DriftItem> all)
    {
        var reconciler = new Reconciler(store, SourceId, source, (range, ct) => source.ScanAtAsync(underlying, range, ct));
        return await reconciler.RunAsync(new ReconciliationRequest { Seq = seq, InlineDriftLimit = 5 }, (item, _) =>
        {
            all.Add(item);
            return ValueTask.CompletedTask;
        }, null, default);
    }

    [Theory]
    [InlineData(60, 0, 0)]
    [InlineData(0, 80, 0)]
    [InlineData(0, 0, 16)]
    [InlineData(40, 40, 12)]
    public async Task faults_in_the_captured_stream_are_found_exactly(int drop, int duplicate, int reorder)
    {
        var (store, source, seq, underlying, export) = await CaptureAsync(Options(drop, duplicate, reorder));
        var truth = DriftOracle.StateOf(source.History.StateAfter(underlying).Documents(KeyRange.All));
        var expected = DriftOracle.Expected(truth, export);

        var all = new List<DriftItem>();
        var result = await ReconcileAsync(store, source, seq, underlying, all);

        Assert.Equal(ReconciliationStatus.Succeeded, result.Status);
        Assert.Equal(result.RangesTotal, result.RangesChecked);
        Assert.True(result.RangesTotal > 1);
        Assert.Equal(expected, DriftOracle.Found(all));
        Assert.Equal(expected.Count, result.Counts.Total);
        foreach (var category in Enum.GetValues<DriftCategory>())
        {
            Assert.Equal(expected.Count(e => e.Category == category), result.Counts.Of(category));
        }
        Assert.Equal(truth.Count, result.SourceDocumentsScanned);
        Assert.Equal(export.Count, result.ExportDocuments);
        Assert.Equal(all.Take(5), result.Drift);
        Assert.Equal(all.Count > 5, result.DriftTruncated);
        if (duplicate == 0)
        {
            Assert.NotEmpty(expected); // drops and reorders make real drift with these settings
        }
    }

    [Fact]
    public async Task a_fault_free_capture_is_aligned_and_no_range_is_diffed()
    {
        var (store, source, seq, underlying, _) = await CaptureAsync(Options(0, 0, 0));
        var result = await ReconcileAsync(store, source, seq, underlying, []);

        Assert.True(result.IsAligned);
        Assert.All(result.Ranges, r => Assert.Equal(RangeVerdict.Match, r.Verdict));
        Assert.Equal(0, result.ExportEntriesRead);
    }

    [Fact]
    public async Task an_export_ahead_of_the_scan_reports_version_regressions_and_never_content_mismatches()
    {
        var (store, source, seq, underlying, export) = await CaptureAsync(Options(0, 0, 0));
        var stale = underlying - 300;
        var truth = DriftOracle.StateOf(source.History.StateAfter(stale).Documents(KeyRange.All));
        var expected = DriftOracle.Expected(truth, export);

        var all = new List<DriftItem>();
        var result = await ReconcileAsync(store, source, seq, stale, all);

        Assert.Equal(expected, DriftOracle.Found(all));
        Assert.True(result.Counts.VersionRegression > 0);
        Assert.Equal(0, result.Counts.ContentMismatch);
        Assert.All(all.Where(i => i.Category == DriftCategory.VersionRegression), i => Assert.True(i.ExportVersion > i.SourceVersion));
    }
}
