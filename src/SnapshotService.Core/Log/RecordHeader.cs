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
}
