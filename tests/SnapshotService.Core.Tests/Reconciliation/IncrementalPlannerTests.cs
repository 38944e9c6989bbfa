using System.Globalization;
using CsCheck;
using SnapshotService.Core.Tests.State;
using SnapshotService.Reconciliation;
using SnapshotService.Sources;
using SnapshotService.State;

namespace SnapshotService.Core.Tests.Reconciliation;

public sealed class IncrementalPlannerTests
{
    private static List<KeyRange> Ranges(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new KeyRange(
            i == 0 ? null : string.Create(CultureInfo.InvariantCulture, $"r{i:D3}"),
            i == count - 1 ? null : string.Create(CultureInfo.InvariantCulture, $"r{i + 1:D3}")))];

    [Fact]
    public void every_range_is_covered_within_k_runs_and_dirty_ranges_are_always_included() =>
        Gen.Select(Gen.Int[1, 60], Gen.Int[1, 12], Gen.Int[0, 1000], Gen.Int[0, 59].Array[0, 5].Array[12])
            .Sample((count, k, start, dirtyPerRun) =>
            {
                var ranges = Ranges(count);
                // Start the rotation anywhere, as a persisted cursor from an earlier run would.
                var cursor = IncrementalPlanner.Plan(ranges, [], count, null).NextCursor;
                for (var skip = start % count; skip > 0; skip--)
                {
                    cursor = IncrementalPlanner.Plan(ranges, [], count, cursor).NextCursor;
                }
                var covered = new HashSet<int>();
                for (var run = 0; run < k; run++)
                {
                    var dirty = dirtyPerRun[run].Where(i => i < count).ToHashSet();
                    var plan = IncrementalPlanner.Plan(ranges, dirty, k, cursor);
                    Assert.Superset(dirty, plan.RangeIndexes.ToHashSet());
                    Assert.Equal((count + k - 1) / k, plan.Rotation.Count);
                    Assert.Equal(plan.RangeIndexes.Order(), plan.RangeIndexes);
                    Assert.Equal(plan.RangeIndexes.Count, plan.RangeIndexes.Distinct().Count());
                    covered.UnionWith(plan.Rotation);
                    cursor = plan.NextCursor;
                }
                Assert.Equal(count, covered.Count);
            }, iter: 300);

    [Fact]
    public void k_of_one_checks_every_range_every_run()
    {
        var plan = IncrementalPlanner.Plan(Ranges(7), [], 1, "r003");
        Assert.Equal([0, 1, 2, 3, 4, 5, 6], plan.RangeIndexes);
    }

    [Fact]
    public void a_cursor_keeps_its_place_when_ranges_split()
    {
        var before = Ranges(10);
        var plan = IncrementalPlanner.Plan(before, [], 5, null); // checks 0,1; continues at r002
        Assert.Equal("r002", plan.NextCursor);
        var split = before.Take(1).Concat([new KeyRange("r001", "r0015"), new KeyRange("r0015", "r002")]).Concat(before.Skip(2)).ToList();
        var next = IncrementalPlanner.Plan(split, [], 5, plan.NextCursor);
        Assert.Equal("r002", split[next.Rotation[0]].StartInclusive);
    }

    [Fact]
    public void invalid_k_or_dirty_index_is_refused_with_the_setting_named()
    {
        Assert.Contains("K", Assert.Throws<ArgumentException>(() => IncrementalPlanner.Plan(Ranges(3), [], 0, null)).Message, StringComparison.Ordinal);
        Assert.Contains("Dirty", Assert.Throws<ArgumentException>(() => IncrementalPlanner.Plan(Ranges(3), [3], 2, null)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ranges_touched_since_the_last_alignment_are_dirty_and_no_other()
    {
        var inserts = StateTestLog.Inserts(1, 80, value: 1).Select((op, i) => (op, (long)i + 1)).ToList();
        var changes = new List<(TestOp, long)> { (new TestOp(12, false, 7), 81), (new TestOp(70, true, 0), 82) };
        var (store, log) = await ReconTestExport.BuildAsync([inserts, changes], [true, false], 10);
        var view = new LiveView(store, ReconTestExport.Source);

        var dirty = await IncrementalPlanner.DirtySinceAsync(view, alignedSeq: 80, seq: log.Head.LastSeq, default);

        var now = await view.DigestsAtAsync(log.Head.LastSeq, default);
        var expected = now.Where(s => s.Range.Contains(StateTestLog.KeyOf(12)) || s.Range.Contains(StateTestLog.KeyOf(70))).Select(s => s.Index);
        Assert.Equal(expected, dirty);
        Assert.Equal(2, dirty.Count);
    }

    [Fact]
    public void a_range_whose_bounds_changed_counts_as_dirty()
    {
        var digest = RangeDigest.Empty.Add("a", 1);
        var then = new List<RangeSummary> { new(0, new KeyRange(null, "m"), digest), new(1, new KeyRange("m", null), digest) };
        var now = new List<RangeSummary> { new(0, new KeyRange(null, "m"), digest), new(1, new KeyRange("m", "t"), digest), new(2, new KeyRange("t", null), RangeDigest.Empty) };

        Assert.Equal([1, 2], IncrementalPlanner.DirtySince(then, now));
    }
}
