using System.Globalization;
using System.Text.Json;
using SnapshotService.Log;
using SnapshotService.Sources;

namespace SnapshotService.Views;

/// <summary>The fields of a segment line a view needs.</summary>
internal readonly record struct ViewLine(long Seq, ChangeOperation Operation, string Key, string? PartitionKey, long SourceVersion, UInt128? ContentHash, ChangeOrigin Origin, ReadOnlyMemory<byte> Document);

/// <summary>
/// Reads segment lines for views. The fast path stops at <c>"document"</c> and takes the rest of
/// the line up to the object's closing brace as the document, instead of tokenizing it twice (once
/// to find its end, once to hash it): the re-hash that follows accepts exactly one JSON value, so
/// a slice that is not exactly the document cannot pass. When it does not pass (a field after the
/// document, written by a later minor format version, or real damage) the caller re-reads the line
/// with <see cref="Exact"/>, which is <see cref="SegmentCodec.ParseLine"/>.
/// </summary>
internal static class ViewLineReader
{
    public static ViewLine Fast(string segmentName, int lineNumber, ReadOnlyMemory<byte> line)
    {
        try
        {
            return FastCore(line);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or InvalidDataException)
        {
            // Let the exact reader produce the precise message (or succeed on a layout we do not expect).
            return Exact(segmentName, lineNumber, line);
        }
    }

    public static ViewLine Exact(string segmentName, int lineNumber, ReadOnlyMemory<byte> line)
    {
        var record = SegmentCodec.ParseLine(segmentName, lineNumber, line);
        return new ViewLine(record.Seq, record.Operation, record.Key, record.PartitionKey, record.SourceVersion,
            record.ContentHash is null ? null : State.RangeDigest.ParseHash(record.ContentHash), record.Origin, record.Document);
    }

    private static ViewLine FastCore(ReadOnlyMemory<byte> line)
    {
        var span = line.Span;
        var reader = new Utf8JsonReader(span, new JsonReaderOptions { MaxDepth = 256 });
        var header = new RecordHeader();
        UInt128? contentHash = null;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new InvalidDataException("expected a JSON object");
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("document"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null)
                {
                    return Done(ReadOnlyMemory<byte>.Empty);
                }
                var start = (int)reader.TokenStartIndex;
                var end = span.LastIndexOf((byte)'}');
                if (end <= start)
                {
                    throw new InvalidDataException("the line does not end with the record's closing brace");
                }
                return Done(line[start..end]);
            }
            if (RecordHeaderFields.TryRead(ref reader, ref header))
            {
                continue;
            }
            if (reader.ValueTextEquals("content_hash"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Null)
                {
                    if (reader.ValueIsEscaped || reader.ValueSpan.Length != Hashing.ContentHasher.HexLength ||
                        !UInt128.TryParse(reader.ValueSpan, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var parsed))
                    {
                        throw new FormatException("content_hash is not 32 hex digits");
                    }
                    contentHash = parsed;
                }
            }
            else
            {
                reader.Read();
                reader.Skip(); // source_time, and fields added by later minor versions
            }
        }
        throw new InvalidDataException("no document field");

        ViewLine Done(ReadOnlyMemory<byte> document) =>
            header.Seq is not { } seq || header.Operation is not { } op || header.Key is not { } key
                ? throw new InvalidDataException("seq, op and key come before the document")
                : new ViewLine(seq, op, key, header.PartitionKey, header.SourceVersion, contentHash, header.Origin, document);
    }
}
