using SnapshotService.Log;
using SnapshotService.Sources;
using SnapshotService.State;
using SnapshotService.Views;

namespace SnapshotService.Reconciliation;

/// <summary>A key the export saw change in a log tail, with its state after the tail (null: deleted).</summary>
/// <param name="Key">The key.</param>
/// <param name="Entry">The key's live entry at the end of the tail, or null when its last change was a delete.</param>
public sealed record DirtyKey(string Key, LiveEntry? Entry);

/// <summary>
/// The keys an incremental run checks by point reads: those the export changed since the last
/// aligned run. Changes land on random keys, so 1% of keys changed touches nearly every range;
/// checking the changed keys themselves costs reads in proportion to the change, not to the
/// ranges it happens to touch.
/// </summary>
public static class DirtyKeys
{
    /// <summary>
    /// Reads records (afterSeq, toSeq] and returns the last change per key, in key order; null when
    /// more than <paramref name="maxKeys"/> distinct keys changed (then ranges are cheaper, and the
    /// caller plans dirty ranges instead). Memory is bounded by <paramref name="maxKeys"/>.
    /// </summary>
    public static async Task<IReadOnlyList<DirtyKey>?> CollectAsync(ExportLogReader log, long afterSeq, long toSeq, int maxKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        var last = new Dictionary<string, DirtyKey>(StringComparer.Ordinal);
        var head = await log.ReadHeadAsync(cancellationToken).ConfigureAwait(false);
        var commit = await log.FindCommitContainingSeqAsync(afterSeq + 1, head, cancellationToken).ConfigureAwait(false);
        for (; commit is not null && commit.FirstSeq <= toSeq; commit = await log.ReadCommitAsync(commit.Number + 1, cancellationToken).ConfigureAwait(false))
        {
            foreach (var segment in commit.Segments)
            {
                if (segment.LastSeq <= afterSeq || segment.FirstSeq > toSeq)
                {
                    continue;
                }
                var data = await log.ReadSegmentAsync(commit, segment, cancellationToken).ConfigureAwait(false);
                foreach (var line in JsonLines.Split(data))
                {
                    // Only the fields before the document are parsed: the tail's documents are never needed here.
                    var record = ViewLineReader.Fast(segment.Name, line.Number, data.AsMemory(line.Offset, line.Length));
                    if (record.Seq <= afterSeq || record.Seq > toSeq)
                    {
                        continue;
                    }
                    last[record.Key] = new DirtyKey(record.Key, record.Operation == ChangeOperation.Delete || record.ContentHash is not { } hash
                        ? null
                        : new LiveEntry(record.Key, record.PartitionKey, record.Seq, record.SourceVersion, hash, record.Origin, segment.Name));
                    if (last.Count > maxKeys)
                    {
                        return null;
                    }
                }
            }
        }
        var keys = last.Values.ToArray();
        Array.Sort(keys, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return keys;
    }
}
