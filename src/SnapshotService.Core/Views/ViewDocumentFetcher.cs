using System.Buffers;
using SnapshotService.Hashing;
using SnapshotService.Log;
using SnapshotService.Sources;
using SnapshotService.State;
using SnapshotService.Storage;

namespace SnapshotService.Views;

/// <summary>
/// Reads one segment (checked against its commit record, decompressed once) and takes from it the
/// lines of the planned rows that live there, checking each against the live state: same seq,
/// same key, an upsert, the recorded hash, and a re-computed canonical hash. Any difference means
/// the export is damaged, and the view must not be published.
/// </summary>
internal sealed class ViewDocumentFetcher(ExportLogReader log, LogHead head, ContentHashOptions hashing, int rowsPerPart)
{
    public async Task<SegmentRows> FetchAsync(string segmentName, ReadOnlyMemory<PlannedRow> rows, int firstPart, CancellationToken cancellationToken)
    {
        if (StoreKeys.IsPackName(segmentName))
        {
            var pack = await LiveFileReader.ReadAsync(log, head, segmentName, rows.Span[0].Seq, cancellationToken).ConfigureAwait(false);
            return RoutePack(segmentName, pack, rows, firstPart);
        }
        var (commit, segment) = await LiveFileReader.FindSegmentAsync(log, head, segmentName, rows.Span[0].Seq, cancellationToken).ConfigureAwait(false);
        // Verifies the segment's size and checksum against its commit record before decompressing.
        var data = await log.ReadSegmentAsync(commit, segment, cancellationToken).ConfigureAwait(false);
        return Route(segmentName, segment, data, rows.Span, firstPart);
    }

    private SegmentRows Route(string segmentName, SegmentRef segment, byte[] data, ReadOnlySpan<PlannedRow> rows, int firstPart)
    {
        var lines = Math.Max(1, segment.LastSeq - segment.FirstSeq + 1);
        var output = new SegmentRows((int)Math.Min(data.Length, (data.Length / lines * rows.Length) + (rows.Length * 64L)));
        // Rows come in seq order, so the line cursor only moves forward through the segment.
        var line = 0L;
        var offset = 0;
        foreach (var planned in rows)
        {
            var wanted = planned.Seq - segment.FirstSeq;
            if (wanted < line || planned.Seq > segment.LastSeq)
            {
                throw Corrupt(null, segmentName, $"the live state places seq {planned.Seq} in this segment, whose range is {segment.FirstSeq}..{segment.LastSeq}");
            }
            while (line < wanted)
            {
                var newline = data.AsSpan(offset).IndexOf((byte)'\n');
                if (newline < 0)
                {
                    throw Corrupt(null, segmentName, $"the segment ends before the line of seq {planned.Seq}");
                }
                offset += newline + 1;
                line++;
            }
            var end = data.AsSpan(offset).IndexOf((byte)'\n');
            var length = end < 0 ? data.Length - offset : end;
            Emit(output, planned, data.AsMemory(offset, length), (int)line + 1, segmentName, firstPart);
        }
        return output;
    }

    /// <summary>
    /// A pack's lines are in seq order but not consecutive (they are the live lines of other
    /// files), so each line's seq is read until the planned one is reached.
    /// </summary>
    private SegmentRows RoutePack(string packName, byte[] data, ReadOnlyMemory<PlannedRow> rows, int firstPart)
    {
        var output = new SegmentRows(data.Length);
        var found = 0;
        foreach (var (index, lineNumber, line) in LiveFileLines.Find(packName, data, i => rows.Span[i].Seq, rows.Length))
        {
            Emit(output, rows.Span[index], line, lineNumber, packName, firstPart);
            found++;
        }
        if (found < rows.Length)
        {
            throw Corrupt(null, packName, $"the live state places seq {rows.Span[found].Seq} in this pack, which does not hold it");
        }
        return output;
    }

    private void Emit(SegmentRows output, PlannedRow planned, ReadOnlyMemory<byte> line, int lineNumber, string fileName, int firstPart)
    {
        var fast = ViewLineReader.Fast(fileName, lineNumber, line);
        var record = IsExactly(planned, fast)
            ? fast
            : Check(planned, ViewLineReader.Exact(fileName, lineNumber, line), fileName);
        output.Digest = output.Digest.Add(record.Key, planned.ContentHash);
        output.DocumentBytes += record.Document.Length;
        var start = output.Data.WrittenCount;
        ViewRowCodec.Write(output.Data, planned.Ordinal % rowsPerPart, record.Seq, record.SourceVersion, planned.ContentHash, record.Origin, planned.Segment, record.Key, record.PartitionKey, record.Document.Span);
        output.Rows.Add((firstPart + (planned.Ordinal / rowsPerPart), start, output.Data.WrittenCount - start));
    }

    /// <summary>True when the line is the planned record and its document re-hashes to the planned hash.</summary>
    private bool IsExactly(PlannedRow planned, ViewLine line)
    {
        if (line.Seq != planned.Seq || line.Operation != ChangeOperation.Upsert || line.ContentHash != planned.ContentHash ||
            line.Document.IsEmpty || ViewPlan.KeyHash(line.Key) != planned.KeyHash)
        {
            return false;
        }
        try
        {
            // Re-hashing is the costliest step per document; segments are fetched on all cores at once.
            return ContentHasher.HashValue(line.Document.Span, hashing) == planned.ContentHash;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    /// <summary>The slow path: says exactly what differs (and throws), or accepts a line the fast reader could not slice.</summary>
    private ViewLine Check(PlannedRow planned, ViewLine line, string segmentName)
    {
        if (line.Seq != planned.Seq || ViewPlan.KeyHash(line.Key) != planned.KeyHash)
        {
            throw Corrupt(line.Key, segmentName, $"the line for seq {planned.Seq} holds seq {line.Seq} and another key than the live state names for it");
        }
        if (line.Operation != ChangeOperation.Upsert || line.ContentHash is null || line.Document.IsEmpty)
        {
            throw Corrupt(line.Key, segmentName, $"seq {line.Seq} is a {SegmentCodec.OperationText(line.Operation)} without a document, but the live state says the key is live");
        }
        if (line.ContentHash != planned.ContentHash)
        {
            throw Corrupt(line.Key, segmentName, $"the segment records content hash {ContentHasher.ToHex(line.ContentHash.Value)}, the live state {ContentHasher.ToHex(planned.ContentHash)}");
        }
        var actual = ContentHasher.HashValue(line.Document.Span, hashing);
        if (actual != planned.ContentHash)
        {
            throw Corrupt(line.Key, segmentName, $"the document hashes to {ContentHasher.ToHex(actual)}, but its recorded content hash is {ContentHasher.ToHex(planned.ContentHash)} (were the hashing options the log was written with passed?)");
        }
        return line;
    }

    private static InvalidDataException Corrupt(string? key, string segmentName, string what) =>
        new($"{(key is null ? "A key" : $"Key '{key}'")} in segment '{segmentName}': {what}. The export is damaged; the view was not published.");
}

/// <summary>The verified rows one segment contributes, encoded for the part assembler, with their digest.</summary>
internal sealed class SegmentRows(int capacityHint)
{
    public ArrayBufferWriter<byte> Data { get; } = new(Math.Max(4096, capacityHint));

    /// <summary>(global part index, offset in <see cref="Data"/>, length) per row, in seq order.</summary>
    public List<(int Part, int Offset, int Length)> Rows { get; } = [];

    public RangeDigest Digest { get; set; }

    public long DocumentBytes { get; set; }
}
