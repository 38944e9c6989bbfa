using System.Buffers;
using System.Text.Json;

namespace SnapshotService.Sources.Cosmos;

/// <summary>
/// Turns a Cosmos DB item into export content and a source version.
/// <para><b>Content.</b> The item JSON without the system properties <c>_rid, _self, _etag,
/// _attachments, _ts, _lsn</c> (top level only): they change on every write or differ between the
/// feed and queries (<c>_lsn</c> exists only in the feed), so keeping them would make the feed, a
/// scan and a restored copy hash differently for the same user data.</para>
/// <para><b>Version.</b> <c>_ts &lt;&lt; 30 | (_lsn &amp; 2^30-1)</c>: seconds major, LSN minor. The
/// feed carries both; queries and point reads carry only <c>_ts</c> (minor part 0). One scale for
/// every path keeps invariant 6 (no regression per key): later writes of a key have a later or equal
/// <c>_ts</c> and a larger LSN.</para>
/// </summary>
internal static class CosmosDocuments
{
    /// <summary>Bits of the LSN kept in the version's minor part.</summary>
    public const int LsnBits = 30;

    private static readonly string[] SystemProperties = ["_rid", "_self", "_etag", "_attachments", "_ts", "_lsn"];

    /// <summary>The version of a write at <paramref name="ts"/> seconds with <paramref name="lsn"/> (0 when unknown).</summary>
    public static long VersionOf(long ts, long lsn) => (ts << LsnBits) | (lsn & ((1L << LsnBits) - 1));

    /// <summary>The source time of a version.</summary>
    public static DateTimeOffset TimeOf(long version) => DateTimeOffset.FromUnixTimeSeconds(Math.Max(0, version >> LsnBits));

    /// <summary>True for the top-level properties left out of the stored document and its hash.</summary>
    public static bool IsSystemProperty(string name) => Array.IndexOf(SystemProperties, name) >= 0;

    /// <summary>The item without its system properties, as UTF-8 JSON.</summary>
    public static byte[] Strip(JsonElement item)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in item.EnumerateObject())
            {
                if (!IsSystemProperty(property.Name))
                {
                    property.WriteTo(writer);
                }
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads <c>_ts</c> (0 when absent).</summary>
    public static long Ts(JsonElement item) => item.TryGetProperty("_ts", out var ts) && ts.TryGetInt64(out var value) ? value : 0;

    /// <summary>Reads <c>_lsn</c>, or null when absent (queries and point reads).</summary>
    public static long? Lsn(JsonElement item) => item.TryGetProperty("_lsn", out var lsn) && lsn.TryGetInt64(out var value) ? value : null;

    /// <summary>Reads <c>id</c>; throws when missing (every Cosmos item has one).</summary>
    public static string Id(JsonElement item) =>
        item.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()! : throw new InvalidOperationException("Cosmos DB item without a string 'id'.");

    /// <summary>A document as a scan or point read sees it.</summary>
    public static SourceDocument ToSourceDocument(JsonElement item, CosmosKeys keys)
    {
        var partitionKey = keys.PartitionKeyJson(item);
        var version = VersionOf(Ts(item), Lsn(item) ?? 0);
        return new SourceDocument(keys.KeyOf(Id(item), partitionKey), CosmosKeys.DisplayPartitionKey(partitionKey), version, Strip(item));
    }
}
