using CsCheck;
using SnapshotService.Core.Tests.State;
using SnapshotService.Reconciliation;

namespace SnapshotService.Core.Tests.Reconciliation;

/// <summary>
/// Completeness and precision (invariant 7, read side): over random histories, random drift on
/// both sides, random range sizes, compaction points and buffer bounds, the drift found is exactly
/// the naive difference between the two states.
/// </summary>
public sealed class ReconciliationPropertyTests
{
    private static readonly Gen<TestOp> Op =
        Gen.Select(Gen.Int[0, 49], Gen.Int[0, 99], Gen.Int[0, 1000], (k, d, v) => new TestOp(k, d < 25, v));

    private static readonly Gen<(TestOp[] History, bool[] Dropped, TestOp[] SourceOnly, TestOp[] ExportOnly, bool[] Compact, int MaxKeys, int Buffer, int PerCommit)> Cases =
        Gen.Select(Op.Array[0, 120], Gen.Int[0, 99].Array[120], Op.Array[0, 10], Op.Array[0, 6], Gen.Bool.Array[20], Gen.Int[2, 12], Gen.Int[0, 2].Select(i => i switch { 0 => 0, 1 => 3, _ => 100_000 }), Gen.Int[1, 20])
            .Select(t => (t.Item1, t.Item2.Select(p => p < 10).ToArray(), t.Item3, t.Item4, t.Item5, t.Item6, t.Item7, t.Item8));

    [Fact]
    public Task the_drift_found_equals_the_naive_difference_of_the_two_states() =>
        Check.SampleAsync(Cases, async c =>
        {
            var history = c.History.Select((op, i) => (Op: op, Version: (long)i + 1)).ToList();
            var sourceOnly = c.SourceOnly.Select((op, i) => (Op: op, Version: (long)history.Count + 1 + i)).ToList();
            var exportOnly = c.ExportOnly.Select((op, i) => (Op: op, Version: (long)history.Count + sourceOnly.Count + 1 + i)).ToList();
            var captured = history.Where((_, i) => !c.Dropped[i]).ToList();

            var commits = captured.Chunk(c.PerCommit).Select(x => (IReadOnlyList<(TestOp, long)>)x).ToList();
            commits.Add(exportOnly);
            var (store, log) = await ReconTestExport.BuildAsync(commits, c.Compact, c.MaxKeys);
            var sourceDocuments = ReconTestExport.SourceAfter(history.Concat(sourceOnly));
            var source = new ListSource(sourceDocuments);

            var (result, all) = await ReconTestExport.RunAsync(store, log.Head.LastSeq, source,
                new ReconciliationRequest { Seq = log.Head.LastSeq, MaxBufferedKeysPerRange = c.Buffer, InlineDriftLimit = 3 });

            var expected = DriftOracle.Expected(DriftOracle.StateOf(sourceDocuments), ReconTestExport.ExportAfter(captured.Concat(exportOnly)));
            Assert.Equal(ReconciliationStatus.Succeeded, result.Status);
            Assert.Equal(expected, DriftOracle.Found(all));
            Assert.Equal(expected.Count, result.Counts.Total);
            Assert.Equal(result.RangesTotal, result.RangesChecked);
            Assert.Equal(sourceDocuments.Count, result.SourceDocumentsScanned);
            Assert.Equal(Math.Min(3, all.Count), result.Drift.Count);
            // A range is diffed only when its digest differs, and a diff of a differing range finds something (the scan is stable).
            Assert.All(result.Ranges, r => Assert.Equal(r.SourceDigest == r.ExportDigest ? RangeVerdict.Match : RangeVerdict.Drift, r.Verdict));
        }, iter: 150, threads: 1);
}
