using System.Globalization;
using SnapshotService.Log;
using SnapshotService.Sources;

namespace SnapshotService.State;

/// <summary>The last change of one key in a log tail: an upsert (with the entry it sets) or a delete.</summary>
/// <param name="Key">The key.</param>
/// <param name="Entry">The entry after the change, or null when the key was deleted.</param>
internal readonly record struct TailChange(string Key, LiveEntry? Entry);

/// <summary>
/// Reads the records of a log tail — seq (afterSeq, toSeq] — and keeps only the last change per
/// key, sorted by key. Memory is bounded by the number of distinct keys the tail touches inside
/// the requested key range (no documents are kept: the segment buffers are dropped as soon as a
/// segment is parsed).
/// </summary>
internal static class LogTail
{
    public static async Task<TailChange[]> CollectAsync(ExportLogReader log, long afterCommit, long afterSeq, long toSeq, KeyRange range, CancellationToken cancellationToken, Action<SegmentRef>? segmentRead = null)
    {
        var last = new Dictionary<string, TailChange>(StringComparer.Ordinal);
        var reached = afterSeq;
        for (var number = afterCommit + 1; reached < toSeq; number++)
        {
            var commit = await log.ReadCommitAsync(number, cancellationToken).ConfigureAwait(false)
                ?? throw new ArgumentOutOfRangeException(nameof(toSeq), toSeq, string.Create(CultureInfo.InvariantCulture,
                    $"Source '{log.SourceId}': the log ends at seq {reached} (commit {number - 1}); seq {toSeq} is not committed yet."));
            if (commit.FirstSeq > reached + 1 && commit.RecordCount > 0)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"Source '{log.SourceId}': commit {number} starts at seq {commit.FirstSeq} but the state before it ends at seq {reached}. The log or the live-state manifest is damaged; run verify-log."));
            }
            foreach (var segment in commit.Segments)
            {
                if (segment.LastSeq <= afterSeq || segment.FirstSeq > toSeq)
                {
                    continue;
                }
                var data = await log.ReadSegmentAsync(commit, segment, cancellationToken).ConfigureAwait(false);
                segmentRead?.Invoke(segment);
                foreach (var record in SegmentCodec.ParseLines(segment.Name, data))
                {
                    if (record.Seq <= afterSeq || record.Seq > toSeq || !range.Contains(record.Key))
                    {
                        continue;
                    }
                    last[record.Key] = new TailChange(record.Key, ToEntry(record, segment.Name));
                }
            }
            reached = Math.Max(reached, commit.LastSeq);
        }
        var changes = last.Values.ToArray();
        Array.Sort(changes, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return changes;
    }

    private static LiveEntry? ToEntry(LogRecord record, string segment)
    {
        if (record.Operation == ChangeOperation.Delete)
        {
            return null;
        }
        var hash = record.ContentHash ?? throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Segment '{segment}': upsert seq {record.Seq} has no content_hash."));
        return new LiveEntry(record.Key, record.PartitionKey, record.Seq, record.SourceVersion, RangeDigest.ParseHash(hash), record.Origin, segment);
    }
}
