using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using SnapshotService.Hashing;
using SnapshotService.State;

namespace SnapshotService.Views;

/// <summary>
/// Encodes a part as one zstd frame of JSON lines (format v1 of views):
/// <code>{"key":"k1","partition_key":"p1","seq":7,"source_version":7,"content_hash":"…","document":{…}}</code>
/// </summary>
internal static class JsonlPartEncoder
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        SkipValidation = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // files, not HTML: keep keys readable
    };

    public static byte[] Encode(PartRows part, int compressionLevel)
    {
        var lines = new ArrayBufferWriter<byte>(checked((int)Math.Min(int.MaxValue, part.DocumentBytes + (part.Rows.Length * 160L))));
        using (var writer = new Utf8JsonWriter(lines, WriterOptions))
        {
            Span<byte> hash = stackalloc byte[ContentHasher.HexLength];
            foreach (var row in part.Rows)
            {
                var entry = row.Entry;
                writer.Reset(lines);
                writer.WriteStartObject();
                LiveEntryJson.WriteKeyFields(writer, entry, hash);
                writer.WritePropertyName("document"u8);
                // Segments store documents on one line, verified and hashed; copy them as they are.
                writer.WriteRawValue(row.Document.Span, skipInputValidation: true);
                writer.WriteEndObject();
                writer.Flush();
                lines.Write("\n"u8);
            }
        }
        return Compression.Zstd.Compress(lines.WrittenSpan, compressionLevel);
    }
}
