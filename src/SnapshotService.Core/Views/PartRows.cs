namespace SnapshotService.Views;

/// <summary>The rows of one complete part in key order, decoded from the assembler's bytes.</summary>
internal sealed class PartRows
{
    private PartRows(int index, ViewRow[] rows, long documentBytes)
    {
        Index = index;
        Rows = rows;
        DocumentBytes = documentBytes;
    }

    public int Index { get; }

    public ViewRow[] Rows { get; }

    public long DocumentBytes { get; }

    /// <summary>Places every row at its index; each index must be filled exactly once.</summary>
    public static PartRows Decode(int index, int expected, ArraySegment<byte> data, IReadOnlyList<string> segments)
    {
        var rows = new ViewRow[expected];
        var filled = new bool[expected];
        long documentBytes = 0;
        var offset = data.Offset;
        var end = data.Offset + data.Count;
        var count = 0;
        while (offset < end)
        {
            offset = ViewRowCodec.Read(data.Array!, offset, segments, out var row, out var value);
            if ((uint)row >= (uint)expected || filled[row])
            {
                throw new InvalidOperationException($"Part {index} received row {row} twice or out of range 0..{expected - 1}; the live state names a key twice.");
            }
            filled[row] = true;
            rows[row] = value;
            documentBytes += value.Document.Length;
            count++;
        }
        if (count != expected)
        {
            throw new InvalidOperationException($"Part {index} has {count} rows; {expected} were planned.");
        }
        return new PartRows(index, rows, documentBytes);
    }
}
