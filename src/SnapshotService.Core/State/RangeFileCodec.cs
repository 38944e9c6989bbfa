using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using SnapshotService.Hashing;
using SnapshotService.Log;
using SnapshotService.Sources;

namespace SnapshotService.State;

/// <summary>
/// Encodes and decodes range files: JSON lines sorted by key, zstd-compressed, one entry a line:
/// <code>{"key":"k1","partition_key":"p1","seq":42,"source_version":42,"content_hash":"…","origin":"capture","segment":"segments/…jsonl.zst"}</code>
/// </summary>
internal static class RangeFileCodec
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Encodes sorted entries; returns the compressed bytes and their checksum.</summary>
    public static (byte[] Bytes, string Checksum) Encode(IReadOnlyList<LiveEntry> entries, int compressionLevel)
    {
        var lines = new ArrayBufferWriter<byte>(Math.Max(1024, entries.Count * 160));
        using (var writer = new Utf8JsonWriter(lines, WriterOptions))
        {
            Span<byte> hex = stackalloc byte[ContentHasher.HexLength];
            foreach (var e in entries)
            {
                writer.Reset(lines);
                writer.WriteStartObject();
                LiveEntryJson.WriteKeyFields(writer, e, hex);
                writer.WriteString("origin"u8, SegmentCodec.OriginText(e.Origin));
                writer.WriteString("segment"u8, e.Segment);
                writer.WriteEndObject();
                writer.Flush();
                lines.Write("\n"u8);
            }
        }
        var bytes = Compression.Zstd.Compress(lines.WrittenSpan, compressionLevel);
        return (bytes, ContentHasher.ChecksumHex(bytes));
    }

    /// <summary>Checks and decompresses a range file, then parses its lines (lazily, in file order).</summary>
    public static IEnumerable<LiveEntry> Decode(string name, byte[] compressed, LiveStateRange expected)
    {
        if (compressed.Length != expected.Bytes || !string.Equals(ContentHasher.ChecksumHex(compressed), expected.Checksum, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Range file '{name}' does not match its manifest (size {compressed.Length} vs {expected.Bytes}, or checksum); it was changed or damaged after it was written.");
        }
        return ParseLines(name, SegmentCodec.Decompress(name, compressed));
    }

    private static IEnumerable<LiveEntry> ParseLines(string name, byte[] data)
    {
        foreach (var line in JsonLines.Split(data))
        {
            LiveEntry entry;
            try
            {
                entry = ParseLine(data.AsSpan(line.Offset, line.Length));
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or InvalidDataException)
            {
                throw new InvalidDataException($"Range file '{name}' line {line.Number} is not a valid live-state entry: {e.Message}", e);
            }
            yield return entry;
        }
    }

    private static LiveEntry ParseLine(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        string? key = null, partitionKey = null, hash = null, segment = null;
        long? seq = null;
        long version = 0;
        var origin = ChangeOrigin.Capture;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new InvalidDataException("expected a JSON object");
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("key"u8))
            {
                reader.Read();
                key = reader.GetString();
            }
            else if (reader.ValueTextEquals("partition_key"u8))
            {
                reader.Read();
                partitionKey = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
            }
            else if (reader.ValueTextEquals("seq"u8))
            {
                reader.Read();
                seq = reader.GetInt64();
            }
            else if (reader.ValueTextEquals("source_version"u8))
            {
                reader.Read();
                version = reader.GetInt64();
            }
            else if (reader.ValueTextEquals("content_hash"u8))
            {
                reader.Read();
                hash = reader.GetString();
            }
            else if (reader.ValueTextEquals("origin"u8))
            {
                reader.Read();
                origin = reader.ValueTextEquals("backfill"u8) ? ChangeOrigin.Backfill
                    : reader.ValueTextEquals("repair"u8) ? ChangeOrigin.Repair
                    : reader.ValueTextEquals("capture"u8) ? ChangeOrigin.Capture
                    : throw new InvalidDataException($"unknown origin '{reader.GetString()}'");
            }
            else if (reader.ValueTextEquals("segment"u8))
            {
                reader.Read();
                segment = reader.GetString();
            }
            else
            {
                reader.Read();
                reader.Skip(); // fields added by later minor versions
            }
        }
        if (key is null || seq is null || hash is null || segment is null)
        {
            throw new InvalidDataException("key, seq, content_hash and segment are required");
        }
        return new LiveEntry(key, partitionKey, seq.Value, version, RangeDigest.ParseHash(hash), origin, segment);
    }
}
