using SnapshotService.Core.Tests.State;
using SnapshotService.Reconciliation;

namespace SnapshotService.Core.Tests.Reconciliation;

/// <summary>Tampering with one side is reported per key with the category a repair step needs.</summary>
public sealed class TamperingTests
{
    private static readonly List<TestOp> History = StateTestLog.Inserts(1, 60, value: 1);

    [Fact]
    public async Task a_record_missing_from_the_export_is_reported_as_missing_in_export()
    {
        var pairs = History.Select((op, i) => (op, (long)i + 1)).ToList();
        var filtered = pairs.Where(p => p.op.KeyNumber != 17).ToList();
        var (store, log) = await ReconTestExport.BuildAsync([filtered], [true], 8);
        var source = new ListSource(ReconTestExport.SourceAfter(pairs));

        var (result, all) = await ReconTestExport.RunAsync(store, log.Head.LastSeq, source);

        var item = Assert.Single(all);
        Assert.Equal((StateTestLog.KeyOf(17), DriftCategory.MissingInExport), (item.Key, item.Category));
        Assert.Null(item.ExportSeq);
        Assert.Equal(17, item.SourceVersion);
        Assert.Equal("p2", item.SourcePartitionKey);
        Assert.Equal(1, result.Counts.MissingInExport);
    }

    [Fact]
    public async Task a_changed_document_an_unseen_delete_and_a_newer_export_are_each_reported()
    {
        var pairs = History.Select((op, i) => (op, (long)i + 1)).ToList();
        var (store, log) = await ReconTestExport.BuildAsync(ReconTestExport.Commits(History, 7), [false, true, false, false, true], 8);
        var documents = ReconTestExport.SourceAfter(pairs);
        documents.RemoveAll(d => d.Key == StateTestLog.KeyOf(30) || d.Key == StateTestLog.KeyOf(5) || d.Key == StateTestLog.KeyOf(44));
        documents.Add(ReconTestExport.Document(5, 100, 2));  // changed at the source, change never captured
        documents.Add(ReconTestExport.Document(44, 0, 2));   // source shows an older version than the export holds
        documents.Add(ReconTestExport.Document(61, 101, 1)); // inserted at the source, never captured
        var source = new ListSource(documents);

        var (result, all) = await ReconTestExport.RunAsync(store, log.Head.LastSeq, source);

        Assert.Equal(
            [
                (StateTestLog.KeyOf(5), DriftCategory.ContentMismatch),
                (StateTestLog.KeyOf(30), DriftCategory.ExtraInExport),
                (StateTestLog.KeyOf(44), DriftCategory.VersionRegression),
                (StateTestLog.KeyOf(61), DriftCategory.MissingInExport),
            ],
            DriftOracle.Found(all));
        var extra = all.Single(i => i.Category == DriftCategory.ExtraInExport);
        Assert.Equal(30, extra.ExportSeq);
        Assert.Null(extra.SourceVersion);
        Assert.Equal(new DriftCounts(1, 1, 1, 1), result.Counts);
        Assert.Equal(all.Select(i => i.RangeIndex).Distinct().Order(), result.Ranges.Where(r => r.Verdict == RangeVerdict.Drift).Select(r => r.Index));
        Assert.All(all, i => Assert.True(result.Ranges[i.RangeIndex].Range.Contains(i.Key)));
    }
}
