using MongoDB.Bson;
using SnapshotService.Testing.Mongo.Storage;

namespace SnapshotService.Testing.Mongo.ChangeStreams;

/// <summary>Turns oplog entries into change events shaped like a real server's.</summary>
internal static class ChangeEventBuilder
{
    public static BsonDocument Build(OplogEntry entry, ChangeStreamCursor cursor, Catalog catalog)
    {
        var ev = new BsonDocument
        {
            { "_id", new ResumeToken(entry.Ts.Value, ResumeTokenKind.Event).ToDocument() },
            { "operationType", OperationType(entry.Operation) },
            { "clusterTime", entry.Ts },
            { "wallTime", new BsonDateTime(entry.Wall) },
        };
        if (entry.Session is not null)
        {
            ev["txnNumber"] = entry.Session.TxnNumber;
            ev["lsid"] = entry.Session.Lsid.DeepClone();
        }
        var fullDocument = FullDocument(entry, cursor, catalog);
        if (fullDocument is not null)
        {
            ev["fullDocument"] = fullDocument;
        }
        ev["ns"] = new BsonDocument { { "db", entry.Database }, { "coll", entry.Collection } };
        if (entry.Operation == OplogOperation.Rename)
        {
            ev["to"] = new BsonDocument { { "db", entry.RenameToDatabase }, { "coll", entry.RenameToCollection } };
        }
        if (entry.DocumentKey is not null)
        {
            ev["documentKey"] = entry.DocumentKey.DeepClone();
        }
        if (entry.Update is not null)
        {
            ev["updateDescription"] = entry.Update.Description.DeepClone();
        }
        return ev;
    }

    public static BsonDocument Invalidate(long tsValue, DateTime wall) => new()
    {
        { "_id", new ResumeToken(tsValue, ResumeTokenKind.Invalidate).ToDocument() },
        { "operationType", "invalidate" },
        { "clusterTime", new BsonTimestamp(tsValue) },
        { "wallTime", new BsonDateTime(wall) },
    };

    private static string OperationType(OplogOperation operation) => operation switch
    {
        OplogOperation.Insert => "insert",
        OplogOperation.Update => "update",
        OplogOperation.Replace => "replace",
        OplogOperation.Delete => "delete",
        OplogOperation.Drop => "drop",
        _ => "rename",
    };

    /// <summary>
    /// insert/replace carry the written document. For updates, updateLookup reads the document's CURRENT state
    /// (null once deleted) — the real server's behaviour that consumers must tolerate; whenAvailable/required
    /// return the post-image recorded with the write.
    /// </summary>
    private static BsonValue? FullDocument(OplogEntry entry, ChangeStreamCursor cursor, Catalog catalog)
    {
        switch (entry.Operation)
        {
            case OplogOperation.Insert or OplogOperation.Replace:
                return entry.PostImage!.DeepClone();
            case OplogOperation.Update when cursor.FullDocument == "updateLookup":
                var current = catalog.Get(entry.Database, entry.Collection)?.Find(entry.DocumentKey!["_id"]);
                return current is null ? BsonNull.Value : current.DeepClone();
            case OplogOperation.Update when cursor.FullDocument is "whenAvailable" or "required":
                return entry.PostImage!.DeepClone();
            default:
                return null;
        }
    }
}
