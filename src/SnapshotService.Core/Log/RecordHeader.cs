using System.Text.Json;
using SnapshotService.Sources;

namespace SnapshotService.Log;

/// <summary>The fields of a segment line that come before its content hash and document.</summary>
internal struct RecordHeader
{
    public long? Seq;
    public ChangeOperation? Operation;
    public string? Key;
    public string? PartitionKey;
    public long SourceVersion;
    public ChangeOrigin Origin;
}

/// <summary>
/// Reads the header fields of a segment line, shared by the exact parser
/// (<see cref="SegmentCodec.ParseLine"/>) and the views' fast reader, so both spell the format alike.
/// </summary>
internal static class RecordHeaderFields
{
    /// <summary>
    /// When the reader is on the name of a header field, reads its value into
    /// <paramref name="header"/> and returns true; otherwise leaves the reader where it is.
    /// </summary>
    /// <exception cref="InvalidDataException">An unknown op or origin.</exception>
    public static bool TryRead(ref Utf8JsonReader reader, ref RecordHeader header)
    {
        if (reader.ValueTextEquals("seq"u8))
        {
            reader.Read();
            header.Seq = reader.GetInt64();
        }
        else if (reader.ValueTextEquals("op"u8))
        {
            reader.Read();
            header.Operation = reader.ValueTextEquals("upsert"u8) ? ChangeOperation.Upsert
                : reader.ValueTextEquals("delete"u8) ? ChangeOperation.Delete
                : throw new InvalidDataException($"unknown op '{reader.GetString()}'");
        }
        else if (reader.ValueTextEquals("key"u8))
        {
            reader.Read();
            header.Key = reader.GetString();
        }
        else if (reader.ValueTextEquals("partition_key"u8))
        {
            reader.Read();
            header.PartitionKey = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
        }
        else if (reader.ValueTextEquals("source_version"u8))
        {
            reader.Read();
            header.SourceVersion = reader.GetInt64();
        }
        else if (reader.ValueTextEquals("origin"u8))
        {
            reader.Read();
            header.Origin = reader.ValueTextEquals("capture"u8) ? ChangeOrigin.Capture
                : reader.ValueTextEquals("backfill"u8) ? ChangeOrigin.Backfill
                : reader.ValueTextEquals("repair"u8) ? ChangeOrigin.Repair
                : throw new InvalidDataException($"unknown origin '{reader.GetString()}'");
        }
        else
        {
            return false;
        }
        return true;
    }

    /// <summary>
    /// The seq of a segment line, read from its first field as the writer puts it; any other
    /// layout goes through the exact parser (which also names what is wrong with a damaged line).
    /// </summary>
    /// <exception cref="InvalidDataException">The line is not a valid record.</exception>
    public static long SeqOf(string fileName, int lineNumber, ReadOnlyMemory<byte> line)
    {
        var reader = new Utf8JsonReader(line.Span);
        try
        {
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject && reader.Read() &&
                reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("seq"u8) && reader.Read() &&
                reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var seq))
            {
                return seq;
            }
        }
        catch (JsonException)
        {
            // Fall through to the exact parser for the precise message.
        }
        return SegmentCodec.ParseLine(fileName, lineNumber, line).Seq;
    }
}
