using SnapshotService.Log;
using SnapshotService.Sources;
using SnapshotService.State;
using SnapshotService.Views;

namespace SnapshotService.Reconciliation;

/// <summary>A key the export saw change in a log tail, with its state after the tail (null: deleted).</summary>
/// <param name="Key">The key.</param>
/// <param name="Entry">The key's live entry at the end of the tail, or null when its last change was a delete.</param>
public sealed record DirtyKey(string Key, LiveEntry? Entry)
{
    /// <summary>The source version of the key's last change in the tail, a delete's too (0 when not known).</summary>
    public long LastVersion { get; init; }
}

/// <summary>
/// The keys an incremental run checks by point reads: those the export changed since the last
/// aligned run. Changes land on random keys, so 1% of keys changed touches nearly every range;
/// checking the changed keys themselves costs reads in proportion to the change, not to the
/// ranges it happens to touch.
/// </summary>
public static class DirtyKeys
{
    /// <summary>Segments read and parsed at once: the tail is read in windows, in parallel within one.</summary>
    private const int Window = 8;

    /// <summary>
    /// Reads records (afterSeq, head.LastSeq] and returns the last change per key, in key order;
    /// null when more than <paramref name="maxKeys"/> distinct keys changed (then ranges are
    /// cheaper, and the caller plans dirty ranges instead). Memory is bounded by
    /// <paramref name="maxKeys"/> plus one window of segments' records (metadata only: documents
    /// are never parsed). With <paramref name="onlyKeys"/>, the changes of other keys are passed over
    /// (a drift settle follows its candidates through the tail capture wrote meanwhile).
    /// </summary>
    public static async Task<IReadOnlyList<DirtyKey>?> CollectAsync(ExportLogReader log, long afterSeq, LogHead head, int maxKeys, IReadOnlySet<string>? onlyKeys, CancellationToken cancellationToken)
    {
        var last = new Dictionary<string, DirtyKey>(StringComparer.Ordinal);
        var complete = await WalkAsync(log, afterSeq, head, onlyKeys, change =>
        {
            last[change.Key] = change; // segments and lines are in seq order: the last change wins
            return last.Count <= maxKeys;
        }, cancellationToken).ConfigureAwait(false);
        if (!complete)
        {
            return null;
        }
        var keys = last.Values.ToArray();
        Array.Sort(keys, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return keys;
    }

    /// <summary>
    /// Every change of <paramref name="keys"/> in records (afterSeq, head.LastSeq], per key in seq
    /// order (metadata only). A drift settle needs them all: the export's state of a key as of a
    /// source version is its last change at or below that version, not its last change.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, List<DirtyKey>>> CollectChangesAsync(ExportLogReader log, long afterSeq, LogHead head, IReadOnlySet<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var changes = new Dictionary<string, List<DirtyKey>>(StringComparer.Ordinal);
        await WalkAsync(log, afterSeq, head, keys, change =>
        {
            if (!changes.TryGetValue(change.Key, out var list))
            {
                changes[change.Key] = list = [];
            }
            list.Add(change);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return changes;
    }

    /// <summary>Hands each change of records (afterSeq, head.LastSeq] to <paramref name="take"/> in seq order; false as soon as it returns false.</summary>
    private static async Task<bool> WalkAsync(ExportLogReader log, long afterSeq, LogHead head, IReadOnlySet<string>? onlyKeys, Func<DirtyKey, bool> take, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(head);
        var window = new List<(CommitRecord Commit, SegmentRef Segment)>(Window);
        var commit = await log.FindCommitContainingSeqAsync(afterSeq + 1, head, cancellationToken).ConfigureAwait(false);
        for (; commit is not null && commit.FirstSeq <= head.LastSeq; commit = commit.Number < head.CommitNumber ? await log.ReadCommitAsync(commit.Number + 1, cancellationToken).ConfigureAwait(false) : null)
        {
            foreach (var segment in commit.Segments.Where(s => s.LastSeq > afterSeq && s.FirstSeq <= head.LastSeq))
            {
                window.Add((commit, segment));
                if (window.Count == Window && !await TakeWindowAsync(log, window, afterSeq, head.LastSeq, onlyKeys, take, cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }
            }
        }
        return await TakeWindowAsync(log, window, afterSeq, head.LastSeq, onlyKeys, take, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the window's segments in parallel, hands their records over in seq order, and empties the window; false when <paramref name="take"/> said stop.</summary>
    private static async Task<bool> TakeWindowAsync(ExportLogReader log, List<(CommitRecord Commit, SegmentRef Segment)> window, long afterSeq, long toSeq, IReadOnlySet<string>? onlyKeys, Func<DirtyKey, bool> take, CancellationToken cancellationToken)
    {
        var parsed = new List<DirtyKey>[window.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, window.Count), cancellationToken, async (i, token) =>
        {
            var (commit, segment) = window[i];
            var data = await log.ReadSegmentAsync(commit, segment, token).ConfigureAwait(false);
            var records = new List<DirtyKey>();
            foreach (var line in JsonLines.Split(data))
            {
                // Only the fields before the document are parsed: the tail's documents are never needed here.
                var record = ViewLineReader.Fast(segment.Name, line.Number, data.AsMemory(line.Offset, line.Length));
                if (record.Seq > afterSeq && record.Seq <= toSeq && (onlyKeys is null || onlyKeys.Contains(record.Key)))
                {
                    records.Add(new DirtyKey(record.Key, record.Operation == ChangeOperation.Delete || record.ContentHash is not { } hash
                        ? null
                        : new LiveEntry(record.Key, record.PartitionKey, record.Seq, record.SourceVersion, hash, record.Origin, segment.Name))
                    {
                        LastVersion = record.SourceVersion,
                    });
                }
            }
            parsed[i] = records;
        }).ConfigureAwait(false);
        window.Clear();
        foreach (var records in parsed)
        {
            foreach (var record in records)
            {
                if (!take(record))
                {
                    return false;
                }
            }
        }
        return true;
    }
}
