using MongoDB.Bson;

namespace SnapshotService.Sources.Mongo;

/// <summary>Reads change-stream event documents (kept as raw BSON so unknown event types cannot break deserialization).</summary>
internal static class ChangeEvents
{
    /// <summary>The event types after which the stream is over for this collection.</summary>
    public static bool IsInvalidating(string operationType) =>
        operationType is "invalidate" or "drop" or "rename" or "dropDatabase";

    public static string OperationType(BsonDocument ev) => ev.GetValue("operationType", BsonNull.Value) is BsonString s ? s.Value : "";

    public static long Version(BsonDocument ev) =>
        ev.GetValue("clusterTime", BsonNull.Value) is BsonTimestamp ts
            ? ClusterTime.ToVersion(ts)
            : throw new InvalidDataException($"change event without clusterTime: {ev.ToJson()}");

    public static DateTimeOffset Time(BsonDocument ev, long version) =>
        ev.GetValue("wallTime", BsonNull.Value) is BsonDateTime wall ? new DateTimeOffset(wall.ToUniversalTime(), TimeSpan.Zero) : ClusterTime.ToTime(version);

    public static BsonValue? DocumentId(BsonDocument ev) =>
        ev.GetValue("documentKey", BsonNull.Value) is BsonDocument key && key.TryGetValue("_id", out var id) ? id : null;

    public static BsonDocument? FullDocument(BsonDocument ev) => ev.GetValue("fullDocument", BsonNull.Value) as BsonDocument;

    public static BsonDocument? Token(BsonDocument ev) => ev.GetValue("_id", BsonNull.Value) as BsonDocument;

    /// <summary>The sentence a user reads when the stream ends: which event, which collection, what to do.</summary>
    public static string InvalidationReason(string sourceId, string database, string collection, BsonDocument ev)
    {
        var op = OperationType(ev);
        var when = ev.GetValue("clusterTime", BsonNull.Value) is BsonTimestamp ts ? $" at {ClusterTime.Show(ts.Value)}" : "";
        var what = op switch
        {
            "drop" => "was dropped",
            "rename" => ev.GetValue("to", BsonNull.Value) is BsonDocument to ? $"was renamed to {to.GetValue("db", database)}.{to.GetValue("coll", "?")}" : "was renamed",
            "dropDatabase" => "was dropped with its database",
            _ => "had its change stream invalidated",
        };
        return $"source '{sourceId}': MongoDB collection {database}.{collection} {what} (change event '{op}'{when}); capture stopped at the last committed position and nothing after it was skipped. Recreate the collection (or point the source at the new name) and reset the source to capture again.";
    }
}
