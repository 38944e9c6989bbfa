using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;

namespace SnapshotService.Sources.Mongo;

/// <summary>
/// The one mapping between BSON documents and the UTF-8 JSON the export stores: MongoDB
/// <b>canonical Extended JSON v2</b>, written compactly (no insignificant whitespace).
/// </summary>
/// <remarks>
/// <para>Why canonical: it is the only JSON form of BSON that round-trips every type exactly, which a
/// restore needs — Int32 <c>{"$numberInt":"1"}</c>, Int64 <c>{"$numberLong":"1"}</c>, Double
/// <c>{"$numberDouble":"1.5"}</c> (also <c>"NaN"</c>, <c>"Infinity"</c>), Decimal128
/// <c>{"$numberDecimal":"1.10"}</c> (trailing zeros kept), dates <c>{"$date":{"$numberLong":"ms"}}</c>,
/// ObjectId <c>{"$oid":"…"}</c>, binary <c>{"$binary":{"base64":"…","subType":"04"}}</c>, timestamps,
/// regexes, MinKey/MaxKey. Relaxed Extended JSON reads nicer in DuckDB but turns Int64 and whole
/// Doubles into plain JSON numbers, so a restore could not tell <c>1</c> (Int32) from <c>1L</c>.
/// Canonical JSON also holds no JSON numbers at all, so the content hash never meets a
/// floating-point formatting question.</para>
/// <para><b>Field order.</b> The JSON keeps the document's field order, and a restore writes fields in
/// that order. The content hash (Core's JSON canonicalizer) sorts object keys, so two documents
/// that differ only in field order hash the same: field order is not verified by reconciliation.</para>
/// </remarks>
public static class MongoJson
{
    private static readonly JsonWriterSettings Canonical = new() { OutputMode = JsonOutputMode.CanonicalExtendedJson, Indent = false };
    private static readonly JsonWriterOptions CompactWriter = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false, SkipValidation = true };

    /// <summary>The document as compact canonical Extended JSON in UTF-8.</summary>
    public static byte[] ToJsonBytes(BsonDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return Compact(document.ToJson(Canonical));
    }

    /// <summary>A single BSON value as compact canonical Extended JSON text (used by <see cref="MongoKeys"/>).</summary>
    public static string ValueToJson(BsonValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var wrapped = new BsonDocument("v", value).ToJson(Canonical);
        using var parsed = JsonDocument.Parse(wrapped);
        return Encoding.UTF8.GetString(Compact(parsed.RootElement.GetProperty("v")));
    }

    /// <summary>Parses a single Extended JSON value (canonical or relaxed). Throws <see cref="FormatException"/> when malformed.</summary>
    public static BsonValue ValueFromJson(ReadOnlySpan<char> json)
    {
        try
        {
            return BsonDocument.Parse(string.Concat("{\"v\":", json, "}"))["v"];
        }
        catch (Exception ex) when (ex is not FormatException and (BsonException or InvalidOperationException or ArgumentException))
        {
            throw new FormatException($"'{json}' is not an Extended JSON value: {ex.Message}", ex);
        }
    }

    /// <summary>Parses an export document (canonical or relaxed Extended JSON) back into BSON. Throws <see cref="FormatException"/> when malformed.</summary>
    public static BsonDocument FromJson(ReadOnlySpan<byte> json)
    {
        var text = Encoding.UTF8.GetString(json);
        try
        {
            using var reader = new MongoDB.Bson.IO.JsonReader(text);
            return BsonSerializer.Deserialize<BsonDocument>(reader);
        }
        catch (Exception ex) when (ex is not FormatException and (BsonException or InvalidOperationException or ArgumentException or EndOfStreamException))
        {
            throw new FormatException($"The document is not Extended JSON: {ex.Message}", ex);
        }
    }

    private static byte[] Compact(string json)
    {
        using var parsed = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
        return Compact(parsed.RootElement);
    }

    private static byte[] Compact(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, CompactWriter))
        {
            element.WriteTo(writer);
        }
        return buffer.WrittenSpan.ToArray();
    }
}
