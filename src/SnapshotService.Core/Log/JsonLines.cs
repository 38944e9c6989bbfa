namespace SnapshotService.Log;

/// <summary>One line of JSON-lines data: its 1-based number and where it lies (without the newline).</summary>
internal readonly record struct JsonLine(int Number, int Offset, int Length);

/// <summary>
/// Splits decompressed JSON-lines data (segments, range files, drift key files) into lines. Every
/// file of the export format is JSON lines, and every writer guarantees that no record contains a
/// raw newline, so a newline search is all the framing there is.
/// </summary>
internal static class JsonLines
{
    /// <summary>The non-empty lines of <paramref name="data"/>, in order, numbered from 1 (empty lines count).</summary>
    public static IEnumerable<JsonLine> Split(byte[] data)
    {
        var offset = 0;
        var number = 0;
        while (offset < data.Length)
        {
            var newline = data.AsSpan(offset).IndexOf((byte)'\n');
            var length = newline < 0 ? data.Length - offset : newline;
            number++;
            if (length > 0)
            {
                yield return new JsonLine(number, offset, length);
            }
            offset += length + 1;
        }
    }
}
