using SnapshotService.Sources;
namespace SnapshotService.State;

/// <summary>Merges a checkpoint's sorted entries with a sorted, de-duplicated tail: the tail wins per key, deletes drop the key.</summary>
internal static class LiveMerge
{
    public static async IAsyncEnumerable<LiveEntry> MergeAsync(IAsyncEnumerable<LiveEntry> checkpoint, ArraySegment<TailChange> tail)
    {
        var j = 0;
        await foreach (var entry in checkpoint.ConfigureAwait(false))
        {
            while (j < tail.Count && string.CompareOrdinal(tail[j].Key, entry.Key) < 0)
            {
                if (tail[j].Entry is { } inserted)
                {
                    yield return inserted;
                }
                j++;
            }
            if (j < tail.Count && string.Equals(tail[j].Key, entry.Key, StringComparison.Ordinal))
            {
                if (tail[j].Entry is { } replaced)
                {
                    yield return replaced;
                }
                j++;
            }
            else
            {
                yield return entry;
            }
        }
        for (; j < tail.Count; j++)
        {
            if (tail[j].Entry is { } inserted)
            {
                yield return inserted;
            }
        }
    }

    /// <summary>The part of <paramref name="tail"/> (sorted) that falls in <paramref name="range"/>, starting the search at <paramref name="from"/>.</summary>
    public static ArraySegment<TailChange> Slice(TailChange[] tail, ref int from, KeyRange range)
    {
        while (from < tail.Length && range.StartInclusive is not null && string.CompareOrdinal(tail[from].Key, range.StartInclusive) < 0)
        {
            from++;
        }
        var start = from;
        while (from < tail.Length && range.Contains(tail[from].Key))
        {
            from++;
        }
        return new ArraySegment<TailChange>(tail, start, from - start);
    }
}
