using System.Buffers.Binary;
using MongoDB.Bson;

namespace SnapshotService.Sources.Mongo;

/// <summary>
/// MongoDB cluster times as the export's source versions: <c>seconds &lt;&lt; 32 | increment</c>, the
/// 64-bit value of the BSON timestamp. Versions order exactly like the oplog.
/// </summary>
/// <remarks>
/// Ties are real: every event of one multi-document transaction carries the transaction's commit
/// clusterTime, so two keys changed by one transaction share a version. Per key that is harmless
/// (a transaction changes a key at most once in its net effect as change streams report it, and
/// the no-regression rule compares versions per key with "newer or equal wins in log order"). A
/// backfill row carries the operationTime of its read, which may equal a captured event's time:
/// the watermark merge drops such rows (see <see cref="BackfillWindow"/>), so no tie is decided by
/// chance.
/// </remarks>
public static class ClusterTime
{
    /// <summary>The version of a BSON timestamp.</summary>
    public static long ToVersion(BsonTimestamp timestamp)
    {
        ArgumentNullException.ThrowIfNull(timestamp);
        return timestamp.Value;
    }

    /// <summary>The BSON timestamp of a version.</summary>
    public static BsonTimestamp FromVersion(long version) => new(version);

    /// <summary>The wall-clock second a version falls in (cluster times count Unix seconds).</summary>
    public static DateTimeOffset ToTime(long version) => DateTimeOffset.FromUnixTimeSeconds((long)((ulong)version >> 32));

    /// <summary>A readable version: <c>2026-11-23T21:40:00Z #3</c>.</summary>
    public static string Show(long version) =>
        $"{ToTime(version).UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} #{(uint)(version & 0xFFFF_FFFF)}";

    /// <summary>
    /// The cluster time inside a server resume token, or null when the token has another shape.
    /// Servers since 4.2 write <c>{_data: "82" + 16 hex digits of the timestamp + …}</c> (a KeyString
    /// whose first value is the event's clusterTime); the adapter uses it only for the readable
    /// position summary and the history-headroom estimate, never for correctness.
    /// </summary>
    public static long? FromResumeToken(BsonDocument? token)
    {
        if (token is null || !token.TryGetValue("_data", out var data) || data is not BsonString { Value: var hex } || hex.Length < 18 || !hex.StartsWith("82", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        Span<byte> bytes = stackalloc byte[8];
        try
        {
            Convert.FromHexString(hex.AsSpan(2, 16), bytes, out _, out var written);
            return written == 8 ? BinaryPrimitives.ReadInt64BigEndian(bytes) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
