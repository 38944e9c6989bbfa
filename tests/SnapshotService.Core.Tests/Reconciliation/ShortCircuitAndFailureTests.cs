using SnapshotService.Core.Tests.State;
using SnapshotService.Reconciliation;
using SnapshotService.Sources;

namespace SnapshotService.Core.Tests.Reconciliation;

public sealed class ShortCircuitAndFailureTests
{
    private static readonly List<TestOp> History = StateTestLog.Inserts(1, 100, value: 3);

    private static List<(TestOp Op, long Version)> Pairs => [.. History.Select((op, i) => (op, (long)i + 1))];

    [Fact]
    public async Task ranges_whose_digests_match_are_scanned_once_and_never_diffed()
    {
        var (store, log) = await ReconTestExport.BuildAsync([Pairs], [true], 10);
        var documents = ReconTestExport.SourceAfter(Pairs);
        documents[54] = ReconTestExport.Document(55, 500, 9);
        var source = new ListSource(documents);

        var (result, all) = await ReconTestExport.RunAsync(store, log.Head.LastSeq, source,
            new ReconciliationRequest { Seq = log.Head.LastSeq, MaxBufferedKeysPerRange = 0 });

        var drifted = Assert.Single(result.Ranges, r => r.Verdict != RangeVerdict.Match);
        Assert.True(drifted.Range.Contains(StateTestLog.KeyOf(55)));
        Assert.True(drifted.Rescanned);
        Assert.Equal(2, source.ScannedRanges.Count(r => r == drifted.Range));
        Assert.All(result.Ranges.Where(r => r != drifted), r => Assert.Equal(1, source.ScannedRanges.Count(s => s == r.Range)));
        Assert.Equal(result.RangesTotal + 1, source.Scans);
        Assert.Equal(drifted.ExportDigest.Count, result.ExportEntriesRead);
        Assert.Equal(100 + drifted.SourceDigest.Count, result.SourceDocumentsRead);
        Assert.Equal((StateTestLog.KeyOf(55), DriftCategory.ContentMismatch), DriftOracle.Found(all).Single());
    }

    [Fact]
    public async Task a_buffered_range_is_diffed_without_reading_the_source_again()
    {
        var (store, log) = await ReconTestExport.BuildAsync([Pairs], [true], 10);
        var documents = ReconTestExport.SourceAfter(Pairs);
        documents.RemoveAt(20);
        var source = new ListSource(documents);

        var (result, all) = await ReconTestExport.RunAsync(store, log.Head.LastSeq, source,
            new ReconciliationRequest { Seq = log.Head.LastSeq, MaxBufferedKeysPerRange = 1_000 });

        Assert.Equal(result.RangesTotal, source.Scans);
        Assert.Equal(99, result.SourceDocumentsRead);
        Assert.Equal((StateTestLog.KeyOf(21), DriftCategory.ExtraInExport), DriftOracle.Found(all).Single());
        Assert.DoesNotContain(result.Ranges, r => r.Rescanned);
    }

    [Fact]
    public async Task a_source_that_throws_fails_the_run_with_the_reason_instead_of_reporting_no_drift()
    {
        var (store, log) = await ReconTestExport.BuildAsync([Pairs], [true], 10);
        var source = new ListSource(ReconTestExport.SourceAfter(Pairs)) { ThrowAfter = 10 };
        var progress = new List<ReconciliationProgress>();

        var reconciler = new Reconciler(store, ReconTestExport.Source, source);
        var result = await reconciler.RunAsync(new ReconciliationRequest { Seq = log.Head.LastSeq }, null, new SyncProgress(progress), default);

        Assert.Equal(ReconciliationStatus.Failed, result.Status);
        Assert.False(result.IsAligned);
        Assert.Contains("connection to the source was reset", result.FailureReason, StringComparison.Ordinal);
        Assert.Contains("source", result.FailureReason, StringComparison.Ordinal);
        Assert.Contains("range 1", result.FailureReason, StringComparison.Ordinal);
        Assert.Equal(1, result.RangesChecked);
        Assert.Equal(RangeVerdict.Failed, result.Ranges[^1].Verdict);
        Assert.Equal([new ReconciliationProgress(0, result.RangesTotal, 0, 0), new ReconciliationProgress(1, result.RangesTotal, result.Ranges[0].SourceDigest.Count, 0)], progress);
        Assert.True(result.Ranges[0].SourceDigest.Count < 10);
    }

    [Fact]
    public async Task a_source_that_breaks_key_order_fails_the_run()
    {
        var (store, log) = await ReconTestExport.BuildAsync([Pairs], [true], 200);
        var documents = ReconTestExport.SourceAfter(Pairs);
        var reconciler = new Reconciler(store, ReconTestExport.Source, new ListSource(documents),
            (range, ct) => Unordered(documents));

        var result = await reconciler.RunAsync(new ReconciliationRequest { Seq = log.Head.LastSeq }, null, null, default);

        Assert.Equal(ReconciliationStatus.Failed, result.Status);
        Assert.Contains("ordinal order", result.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_seq_beyond_the_export_head_fails_the_run_with_the_reason()
    {
        var (store, log) = await ReconTestExport.BuildAsync([Pairs], [true], 10);
        var (result, _) = await ReconTestExport.RunAsync(store, 0, new ListSource([]), new ReconciliationRequest { Seq = log.Head.LastSeq + 1 });

        Assert.Equal(ReconciliationStatus.Failed, result.Status);
        Assert.Contains("seq 101", result.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_incremental_run_checks_only_the_planned_ranges_and_says_so()
    {
        var (store, log) = await ReconTestExport.BuildAsync([Pairs], [true], 10);
        var source = new ListSource([]); // everything drifts; only the planned ranges may report it
        var request = new ReconciliationRequest { Seq = log.Head.LastSeq, Mode = ReconciliationMode.Incremental, RangeIndexes = [3, 1, 3] };

        var (result, all) = await ReconTestExport.RunAsync(store, log.Head.LastSeq, source, request);

        Assert.Equal(2, result.RangesChecked);
        Assert.True(result.RangesTotal > 2);
        Assert.Equal([1, 3], result.Ranges.Select(r => r.Index));
        Assert.All(all, i => Assert.True(i.RangeIndex is 1 or 3));
        Assert.Equal(result.Ranges.Sum(r => r.ExportDigest.Count), all.Count);
    }

    [Fact]
    public async Task an_incremental_plan_naming_a_range_that_does_not_exist_fails_the_run()
    {
        var (store, log) = await ReconTestExport.BuildAsync([Pairs], [true], 10);
        var request = new ReconciliationRequest { Seq = log.Head.LastSeq, Mode = ReconciliationMode.Incremental, RangeIndexes = [999] };

        var (result, _) = await ReconTestExport.RunAsync(store, log.Head.LastSeq, new ListSource([]), request);

        Assert.Equal(ReconciliationStatus.Failed, result.Status);
        Assert.Contains("Range index 999", result.FailureReason, StringComparison.Ordinal);
    }

    private static async IAsyncEnumerable<SourceDocument> Unordered(List<SourceDocument> documents)
    {
        await Task.CompletedTask;
        yield return documents[1];
        yield return documents[0];
    }

    /// <summary>Records progress synchronously (Progress&lt;T&gt; posts to the thread pool, which would race the assertion).</summary>
    private sealed class SyncProgress(List<ReconciliationProgress> reports) : IProgress<ReconciliationProgress>
    {
        public void Report(ReconciliationProgress value) => reports.Add(value);
    }
}
