using SnapshotService.Sources;
using SnapshotService.State;

namespace SnapshotService.Reconciliation;

/// <summary>
/// Picks the ranges of an incremental run: the ranges dirtied since the last alignment, plus a
/// rotating slice of ⌈ranges/K⌉ ranges, so that with stable ranges the whole key space is
/// verified every K runs even where nothing was captured (a delete the change feed never showed
/// touches no export range).
/// </summary>
/// <remarks>
/// The rotation cursor is a key, not a range index: compaction splits ranges over time, and a key
/// keeps its place in the rotation across such splits (an index would jump). A split between runs
/// can delay coverage of a few ranges by one run; it never skips one permanently, because the
/// cursor only moves forward over ranges actually planned.
/// </remarks>
public static class IncrementalPlanner
{
    /// <summary>Plans one incremental run over <paramref name="ranges"/> (the ranges at the seq the run compares at, in key order).</summary>
    /// <param name="ranges">The ranges, in key order, covering the key space.</param>
    /// <param name="dirty">Indexes of ranges dirtied since the last alignment (always included).</param>
    /// <param name="k">Runs per full rotation (≥ 1; 1 checks every range every run).</param>
    /// <param name="cursor">The previous plan's <see cref="IncrementalPlan.NextCursor"/>; null for the first run.</param>
    /// <exception cref="ArgumentException">K below 1, or a dirty index outside the ranges.</exception>
    public static IncrementalPlan Plan(IReadOnlyList<KeyRange> ranges, IReadOnlyCollection<int> dirty, int k, string? cursor)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        ArgumentNullException.ThrowIfNull(dirty);
        if (k < 1)
        {
            throw new ArgumentException($"K (runs per full rotation) must be at least 1 (was {k}).", nameof(k));
        }
        if (dirty.Any(i => i < 0 || i >= ranges.Count))
        {
            throw new ArgumentException($"Dirty range indexes must lie in 0..{ranges.Count - 1}.", nameof(dirty));
        }
        if (ranges.Count == 0)
        {
            return new IncrementalPlan([], [], [], null);
        }
        var sliceSize = (ranges.Count + k - 1) / k;
        var first = IndexHolding(ranges, cursor);
        var rotation = new List<int>(sliceSize);
        for (var i = 0; i < sliceSize; i++)
        {
            rotation.Add((first + i) % ranges.Count);
        }
        var next = (first + sliceSize) % ranges.Count;
        var dirtySorted = dirty.Distinct().Order().ToList();
        var all = dirtySorted.Union(rotation).Order().ToList();
        return new IncrementalPlan(all, dirtySorted, rotation, next == 0 ? null : ranges[next].StartInclusive);
    }

    /// <summary>
    /// The ranges at <paramref name="now"/> whose content differs from what the export held over the
    /// same keys at the last alignment (<paramref name="then"/>): a range is dirty when no range at
    /// the last alignment has exactly its bounds (it was split or merged since) or that range's
    /// digest differs.
    /// </summary>
    public static IReadOnlyList<int> DirtySince(IReadOnlyList<RangeSummary> then, IReadOnlyList<RangeSummary> now)
    {
        ArgumentNullException.ThrowIfNull(then);
        ArgumentNullException.ThrowIfNull(now);
        var before = new Dictionary<(string?, string?), RangeDigest>();
        foreach (var summary in then)
        {
            before[(summary.Range.StartInclusive, summary.Range.EndExclusive)] = summary.Digest;
        }
        var dirty = new List<int>();
        foreach (var summary in now)
        {
            if (!before.TryGetValue((summary.Range.StartInclusive, summary.Range.EndExclusive), out var digest) || digest != summary.Digest)
            {
                dirty.Add(summary.Index);
            }
        }
        return dirty;
    }

    /// <summary>Reads the digests at both seqs and returns <see cref="DirtySince(IReadOnlyList{RangeSummary}, IReadOnlyList{RangeSummary})"/>.</summary>
    public static async Task<IReadOnlyList<int>> DirtySinceAsync(LiveView view, long alignedSeq, long seq, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        var then = await view.DigestsAtAsync(alignedSeq, cancellationToken).ConfigureAwait(false);
        var now = await view.DigestsAtAsync(seq, cancellationToken).ConfigureAwait(false);
        return DirtySince(then, now);
    }

    private static int IndexHolding(IReadOnlyList<KeyRange> ranges, string? key)
    {
        if (key is null)
        {
            return 0;
        }
        for (var i = ranges.Count - 1; i > 0; i--)
        {
            if (ranges[i].StartInclusive is { } start && string.CompareOrdinal(start, key) <= 0)
            {
                return i;
            }
        }
        return 0;
    }
}
