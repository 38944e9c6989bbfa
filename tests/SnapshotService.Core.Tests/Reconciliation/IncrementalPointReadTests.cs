using SnapshotService.Core.Tests.State;
using SnapshotService.Log;
using SnapshotService.Reconciliation;

namespace SnapshotService.Core.Tests.Reconciliation;

/// <summary>
/// Incremental runs check the keys the export changed since the last aligned run by point reads:
/// changes on random keys touch nearly every range, so reading ranges would cost a full run.
/// </summary>
public sealed class IncrementalPointReadTests
{
    private static readonly List<TestOp> Initial = StateTestLog.Inserts(1, 400, value: 1);

    [Fact]
    public async Task changed_keys_are_point_read_and_only_their_drift_is_found_without_scanning_a_range()
    {
        var initial = Initial.Select((op, i) => (op, (long)i + 1)).ToList();
        // Since the aligned seq: k010 and k200 updated (captured right), k300 deleted at the source
        // but the export captured an update instead, k399 deleted (captured right), k050 updated at
        // the source to value 3 but captured as value 2.
        var captured = new List<(TestOp, long)> { (new TestOp(10, false, 2), 401), (new TestOp(200, false, 2), 402), (new TestOp(300, false, 2), 403), (new TestOp(399, true, 0), 404), (new TestOp(50, false, 2), 405) };
        var truth = new List<(TestOp, long)> { (new TestOp(10, false, 2), 401), (new TestOp(200, false, 2), 402), (new TestOp(300, true, 0), 403), (new TestOp(399, true, 0), 404), (new TestOp(50, false, 3), 405) };
        var (store, log) = await ReconTestExport.BuildAsync([initial, captured], [true, true], 16);
        var source = new ListSource(ReconTestExport.SourceAfter(initial.Concat(truth)));
        var dirty = await DirtyKeys.CollectAsync(new ExportLogReader(store, ReconTestExport.Source), afterSeq: 400, log.Head, maxKeys: 100, onlyKeys: null, default);

        var (result, all) = await ReconTestExport.RunAsync(store, log.Head.LastSeq, source,
            new ReconciliationRequest { Seq = log.Head.LastSeq, Mode = ReconciliationMode.Incremental, RangeIndexes = [], DirtyKeys = dirty });

        Assert.Equal(ReconciliationStatus.Succeeded, result.Status);
        Assert.Equal([StateTestLog.KeyOf(10), StateTestLog.KeyOf(50), StateTestLog.KeyOf(200), StateTestLog.KeyOf(300), StateTestLog.KeyOf(399)], dirty!.Select(d => d.Key));
        Assert.Equal(
            [(StateTestLog.KeyOf(50), DriftCategory.ContentMismatch), (StateTestLog.KeyOf(300), DriftCategory.ExtraInExport)],
            DriftOracle.Found(all));
        Assert.Equal(5, result.KeysPointChecked);
        Assert.Equal(0, source.Scans);
        Assert.Equal(5, source.PointReads);
        Assert.Equal(0, result.RangesChecked);
        Assert.All(all, i => Assert.True(result.RangesTotal > i.RangeIndex && i.RangeIndex >= 0));
    }

    [Fact]
    public async Task a_changed_key_inside_a_scanned_range_is_not_read_twice()
    {
        var initial = Initial.Select((op, i) => (op, (long)i + 1)).ToList();
        var captured = new List<(TestOp, long)> { (new TestOp(1, false, 2), 401), (new TestOp(399, false, 2), 402) };
        var (store, log) = await ReconTestExport.BuildAsync([initial, captured], [true, true], 16);
        var source = new ListSource(ReconTestExport.SourceAfter(initial.Concat(captured)));
        var dirty = await DirtyKeys.CollectAsync(new ExportLogReader(store, ReconTestExport.Source), 400, log.Head, 100, null, default);

        var (result, all) = await ReconTestExport.RunAsync(store, log.Head.LastSeq, source,
            new ReconciliationRequest { Seq = log.Head.LastSeq, Mode = ReconciliationMode.Incremental, RangeIndexes = [0], DirtyKeys = dirty });

        Assert.True(result.IsAligned);
        Assert.Empty(all);
        Assert.Equal(1, result.RangesChecked);
        Assert.Equal(1, result.KeysPointChecked); // k001 is in range 0, scanned with it
    }

    [Fact]
    public async Task more_changed_keys_than_the_limit_return_null_so_the_caller_plans_ranges()
    {
        var initial = Initial.Select((op, i) => (op, (long)i + 1)).ToList();
        var (store, log) = await ReconTestExport.BuildAsync([initial], [true], 16);

        var dirty = await DirtyKeys.CollectAsync(new ExportLogReader(store, ReconTestExport.Source), 0, log.Head, 399, null, default);
        var all = await DirtyKeys.CollectAsync(new ExportLogReader(store, ReconTestExport.Source), 0, log.Head, 400, null, default);

        Assert.Null(dirty);
        Assert.Equal(400, all!.Count);
    }
}
