using MongoDB.Bson;
using SnapshotService.Testing.Mongo.Cursors;

namespace SnapshotService.Testing.Mongo.Storage;

/// <summary>
/// Everything the server knows, guarded by one lock: a test server favours obviously-correct ordering of
/// writes, oplog entries and cluster times over concurrency.
/// </summary>
internal sealed class ServerState
{
    public ServerState(MongoWireServerOptions options)
    {
        Options = options;
        Oplog = new Oplog(options.OplogCapacity);
        Writer = new DocumentWriter(Catalog, Oplog, Clock);
        Faults.Attach(this);
    }

    public object Sync { get; } = new();
    public MongoWireServerOptions Options { get; }
    public ClusterClock Clock { get; } = new();
    public Oplog Oplog { get; }
    public Catalog Catalog { get; } = new();
    public DocumentWriter Writer { get; }
    public CursorRegistry Cursors { get; } = new();
    public MongoFaults Faults { get; } = new();

    /// <summary>Replies of executed retryable writes by (lsid, txnNumber): a retry returns the first reply without writing twice.</summary>
    public Dictionary<string, BsonDocument> RetryableWriteReplies { get; } = new(StringComparer.Ordinal);

    /// <summary>"127.0.0.1:PORT", the member name the replica set advertises.</summary>
    public string Address { get; set; } = "";
}
