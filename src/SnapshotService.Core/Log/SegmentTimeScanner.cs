using System.Buffers.Text;

namespace SnapshotService.Log;

/// <summary>
/// Walks the (seq, source_time) pairs of a decompressed segment without parsing documents. Anchors
/// need only these two fields, and a full parse of a 5,000-record segment costs more than the whole
/// anchor budget. It relies on the writer's fixed field order (seq first, source_time before
/// document) and on documents never containing a raw newline (the writer re-serializes those).
/// </summary>
internal static class SegmentTimeScanner
{
    private static ReadOnlySpan<byte> SeqPrefix => "{\"seq\":"u8;

    private static ReadOnlySpan<byte> SourceTimeField => "\"source_time\":\""u8;

    /// <summary>The records' seqs and source times, in file order.</summary>
    /// <exception cref="InvalidDataException">A line does not have the format-1 shape; the segment is named.</exception>
    public static IEnumerable<(long Seq, DateTimeOffset SourceTime)> Scan(string segmentName, byte[] data)
    {
        foreach (var line in JsonLines.Split(data))
        {
            yield return ScanLine(segmentName, data.AsSpan(line.Offset, line.Length));
        }
    }

    private static (long Seq, DateTimeOffset SourceTime) ScanLine(string segmentName, ReadOnlySpan<byte> line)
    {
        if (!line.StartsWith(SeqPrefix) || !Utf8Parser.TryParse(line[SeqPrefix.Length..], out long seq, out _))
        {
            throw new InvalidDataException($"Segment '{segmentName}': a line does not start with {{\"seq\":N.");
        }
        var field = line.IndexOf(SourceTimeField);
        if (field < 0 || line.Length < field + SourceTimeField.Length + 24 || !TryParseTime(line.Slice(field + SourceTimeField.Length, 24), out var time))
        {
            throw new InvalidDataException($"Segment '{segmentName}': seq {seq} has no source_time of the form yyyy-MM-ddTHH:mm:ss.fffZ.");
        }
        return (seq, time);
    }

    // yyyy-MM-ddTHH:mm:ss.fffZ, as LogTime writes it.
    private static bool TryParseTime(ReadOnlySpan<byte> text, out DateTimeOffset time)
    {
        time = default;
        if (text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != '.' || text[23] != 'Z')
        {
            return false;
        }
        if (!Digits(text[..4], out var year) || !Digits(text.Slice(5, 2), out var month) || !Digits(text.Slice(8, 2), out var day) ||
            !Digits(text.Slice(11, 2), out var hour) || !Digits(text.Slice(14, 2), out var minute) ||
            !Digits(text.Slice(17, 2), out var second) || !Digits(text.Slice(20, 3), out var millisecond))
        {
            return false;
        }
        try
        {
            time = new DateTimeOffset(year, month, day, hour, minute, second, millisecond, TimeSpan.Zero);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    private static bool Digits(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (c is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
            value = (value * 10) + (c - '0');
        }
        return true;
    }
}
