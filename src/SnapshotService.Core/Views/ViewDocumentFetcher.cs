using SnapshotService.Hashing;
using SnapshotService.Log;
using SnapshotService.Sources;
using SnapshotService.State;

namespace SnapshotService.Views;

/// <summary>
/// Fetches the documents of a batch of live entries from the segments they name, reading and
/// decompressing each segment once per batch, and checks every document against its entry:
/// same seq, key, upsert, recorded hash, and a re-computed canonical hash. Any difference means
/// the export is damaged, and the view must not be published.
/// </summary>
internal sealed class ViewDocumentFetcher(ExportLogReader log, LogHead head, ContentHashOptions hashing)
{
    public async Task FetchAsync(ViewBatch batch, CancellationToken cancellationToken)
    {
        var bySegment = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Count; i++)
        {
            var segment = batch.Entries[i].Segment;
            if (!bySegment.TryGetValue(segment, out var indexes))
            {
                bySegment[segment] = indexes = [];
            }
            indexes.Add(i);
        }
        foreach (var (segmentName, indexes) in bySegment)
        {
            var (segment, data) = await ReadSegmentAsync(segmentName, batch.Entries[indexes[0]].Seq, cancellationToken).ConfigureAwait(false);
            var lines = LineStarts(data);
            foreach (var index in indexes)
            {
                var entry = batch.Entries[index];
                var line = entry.Seq - segment.FirstSeq;
                if (line < 0 || line >= lines.Count)
                {
                    throw Corrupt(entry, $"seq {entry.Seq} is outside the segment's range {segment.FirstSeq}..{segment.LastSeq}");
                }
                var start = lines[(int)line];
                var end = line + 1 < lines.Count ? lines[(int)line + 1] - 1 : data.Length;
                var record = SegmentCodec.ParseLine(segmentName, (int)line + 1, data.AsMemory(start, end - start));
                Check(entry, record);
                batch.SetDocument(index, record.Document.Span);
            }
        }
        VerifyHashes(batch);
    }

    private async Task<(SegmentRef Segment, byte[] Data)> ReadSegmentAsync(string segmentName, long seq, CancellationToken cancellationToken)
    {
        var commit = await log.FindCommitContainingSeqAsync(seq, head, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"Source '{log.SourceId}': no commit holds seq {seq}, which the live state says is in segment '{segmentName}'. The log was pruned or damaged; the view cannot be built.");
        var segment = commit.Segments.FirstOrDefault(s => string.Equals(s.Name, segmentName, StringComparison.Ordinal))
            ?? throw new InvalidDataException($"Source '{log.SourceId}': commit {commit.Number} holding seq {seq} does not list segment '{segmentName}' named by the live state. The live state is damaged; delete state/ and compact again.");
        // Verifies the segment's size and checksum against its commit record before decompressing.
        return (segment, await log.ReadSegmentAsync(commit, segment, cancellationToken).ConfigureAwait(false));
    }

    private static List<int> LineStarts(byte[] data)
    {
        var starts = new List<int>();
        var offset = 0;
        while (offset < data.Length)
        {
            starts.Add(offset);
            var newline = data.AsSpan(offset).IndexOf((byte)'\n');
            if (newline < 0)
            {
                break;
            }
            offset += newline + 1;
        }
        return starts;
    }

    private static void Check(LiveEntry entry, LogRecord record)
    {
        if (record.Seq != entry.Seq || !string.Equals(record.Key, entry.Key, StringComparison.Ordinal))
        {
            throw Corrupt(entry, $"the line for seq {entry.Seq} holds seq {record.Seq} key '{record.Key}'");
        }
        if (record.Operation != ChangeOperation.Upsert || record.ContentHash is null || record.Document.IsEmpty)
        {
            throw Corrupt(entry, $"seq {entry.Seq} is a {SegmentCodec.OperationText(record.Operation)} without a document, but the live state says the key is live");
        }
        if (RangeDigest.ParseHash(record.ContentHash) != entry.ContentHash)
        {
            throw Corrupt(entry, $"the segment records content hash {record.ContentHash}, the live state {ContentHasher.ToHex(entry.ContentHash)}");
        }
    }

    private void VerifyHashes(ViewBatch batch)
    {
        // Re-hashing is the costliest step per document; spread it over the cores.
        var failure = -1;
        Parallel.For(0, batch.Count, (i, loop) =>
        {
            if (ContentHasher.HashValue(batch.DocumentOf(i).Span, hashing) != batch.Entries[i].ContentHash)
            {
                Interlocked.CompareExchange(ref failure, i, -1);
                loop.Stop();
            }
        });
        if (failure >= 0)
        {
            var entry = batch.Entries[failure];
            throw Corrupt(entry, $"the document hashes to {ContentHasher.Hash(batch.DocumentOf(failure).Span, hashing)}, but its recorded content hash is {ContentHasher.ToHex(entry.ContentHash)} (were the hashing options the log was written with passed?)");
        }
    }

    private static InvalidDataException Corrupt(LiveEntry entry, string what) =>
        new($"Key '{entry.Key}' in segment '{entry.Segment}': {what}. The export is damaged; the view was not published.");
}
