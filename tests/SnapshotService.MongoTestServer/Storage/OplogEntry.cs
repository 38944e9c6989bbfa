using MongoDB.Bson;

namespace SnapshotService.Testing.Mongo.Storage;

internal enum OplogOperation
{
    Insert,
    Update,
    Replace,
    Delete,
    Drop,
    Rename,
}

/// <summary>
/// One write as the replica set's oplog records it. Change events are built from these when a cursor returns
/// them (so updateLookup sees the document's state at that moment, as on a real server).
/// </summary>
internal sealed record OplogEntry(
    BsonTimestamp Ts,
    DateTime Wall,
    OplogOperation Operation,
    string Database,
    string Collection,
    BsonDocument? DocumentKey = null,
    BsonDocument? PostImage = null,
    AppliedUpdate? Update = null,
    string? RenameToDatabase = null,
    string? RenameToCollection = null,
    WriteSession? Session = null)
{
    public string Namespace => $"{Database}.{Collection}";

    /// <summary>The entry as `local.oplog.rs` shows it (what tools read to measure the oplog window).</summary>
    public BsonDocument ToOplogDocument()
    {
        var (op, o, o2) = Operation switch
        {
            OplogOperation.Insert => ("i", PostImage!, null),
            OplogOperation.Replace => ("u", PostImage!, DocumentKey),
            OplogOperation.Update => ("u", new BsonDocument { { "$v", 2 }, { "diff", Update!.Description } }, DocumentKey),
            OplogOperation.Delete => ("d", DocumentKey!, null),
            OplogOperation.Drop => ("c", new BsonDocument("drop", Collection), null),
            _ => ("c", new BsonDocument { { "renameCollection", Namespace }, { "to", $"{RenameToDatabase}.{RenameToCollection}" } }, (BsonDocument?)null),
        };
        var doc = new BsonDocument
        {
            { "op", op },
            { "ns", Operation is OplogOperation.Drop or OplogOperation.Rename ? $"{Database}.$cmd" : Namespace },
            { "o", o },
        };
        if (o2 is not null)
        {
            doc["o2"] = o2;
        }
        doc["ts"] = Ts;
        doc["t"] = 1L;
        doc["v"] = 2L;
        doc["wall"] = new BsonDateTime(Wall);
        if (Session is not null)
        {
            doc["lsid"] = Session.Lsid;
            doc["txnNumber"] = Session.TxnNumber;
        }
        return doc;
    }
}

/// <summary>The logical session and transaction number a retryable write carried.</summary>
internal sealed record WriteSession(BsonDocument Lsid, long TxnNumber);
