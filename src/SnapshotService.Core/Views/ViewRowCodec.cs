using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using SnapshotService.Sources;

namespace SnapshotService.Views;

/// <summary>
/// The in-flight form of one view row between reading it from its segment and encoding its part:
/// a flat little-endian record, so buffered rows and spilled rows are the same bytes.
/// <code>row:int32 seq:int64 version:int64 hash:16 origin:byte segment:int32 key:len+utf8 pk:len+utf8 (-1 = null) document:len+bytes</code>
/// </summary>
internal static class ViewRowCodec
{
    private const int FixedBytes = 4 + 8 + 8 + 16 + 1 + 4 + 4 + 4 + 4;

    /// <summary>Appends one row to <paramref name="output"/>; returns its length.</summary>
    public static int Write(IBufferWriter<byte> output, int row, long seq, long version, UInt128 hash, ChangeOrigin origin, int segment, string key, string? partitionKey, ReadOnlySpan<byte> document)
    {
        var keyBytes = Encoding.UTF8.GetByteCount(key);
        var pkBytes = partitionKey is null ? 0 : Encoding.UTF8.GetByteCount(partitionKey);
        var length = FixedBytes + keyBytes + pkBytes + document.Length;
        var span = output.GetSpan(length);
        BinaryPrimitives.WriteInt32LittleEndian(span, row);
        BinaryPrimitives.WriteInt64LittleEndian(span[4..], seq);
        BinaryPrimitives.WriteInt64LittleEndian(span[12..], version);
        BinaryPrimitives.WriteUInt128LittleEndian(span[20..], hash);
        span[36] = (byte)origin;
        BinaryPrimitives.WriteInt32LittleEndian(span[37..], segment);
        var at = 41;
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], keyBytes);
        at += 4;
        at += Encoding.UTF8.GetBytes(key, span[at..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], partitionKey is null ? -1 : pkBytes);
        at += 4;
        if (partitionKey is not null)
        {
            at += Encoding.UTF8.GetBytes(partitionKey, span[at..]);
        }
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], document.Length);
        at += 4;
        document.CopyTo(span[at..]);
        output.Advance(length);
        return length;
    }

    /// <summary>The row index (within its part) of the row starting at <paramref name="data"/>.</summary>
    public static int RowOf(ReadOnlySpan<byte> data) => BinaryPrimitives.ReadInt32LittleEndian(data);

    /// <summary>Reads the row at <paramref name="offset"/>; returns the offset after it. The document is left in <paramref name="data"/>.</summary>
    public static int Read(byte[] data, int offset, IReadOnlyList<string> segments, out int row, out ViewRow value)
    {
        var span = data.AsSpan(offset);
        row = BinaryPrimitives.ReadInt32LittleEndian(span);
        var seq = BinaryPrimitives.ReadInt64LittleEndian(span[4..]);
        var version = BinaryPrimitives.ReadInt64LittleEndian(span[12..]);
        var hash = BinaryPrimitives.ReadUInt128LittleEndian(span[20..]);
        var origin = (ChangeOrigin)span[36];
        var segment = BinaryPrimitives.ReadInt32LittleEndian(span[37..]);
        var at = 41;
        var keyBytes = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
        at += 4;
        var key = Encoding.UTF8.GetString(span.Slice(at, keyBytes));
        at += keyBytes;
        var pkBytes = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
        at += 4;
        string? partitionKey = null;
        if (pkBytes >= 0)
        {
            partitionKey = Encoding.UTF8.GetString(span.Slice(at, pkBytes));
            at += pkBytes;
        }
        var documentBytes = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
        at += 4;
        value = new ViewRow(new State.LiveEntry(key, partitionKey, seq, version, hash, origin, segments[segment]), new ReadOnlyMemory<byte>(data, offset + at, documentBytes));
        return offset + at + documentBytes;
    }
}

/// <summary>One row of a view: the live entry and its verified document.</summary>
internal readonly record struct ViewRow(State.LiveEntry Entry, ReadOnlyMemory<byte> Document);
