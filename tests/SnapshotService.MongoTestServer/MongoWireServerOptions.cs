namespace SnapshotService.Testing.Mongo;

/// <summary>Options of the MongoDB wire-protocol test server.</summary>
public sealed class MongoWireServerOptions
{
    /// <summary>Replica set name the server presents (the connection string carries it as ?replicaSet=).</summary>
    public string ReplicaSetName { get; set; } = "rs0";

    /// <summary>
    /// Oplog entries kept before the oldest are dropped (a capped oplog). Resuming from a dropped point fails with
    /// ChangeStreamHistoryLost. Large by default so only tests that roll the window lose history.
    /// </summary>
    public int OplogCapacity { get; set; } = 1_000_000;

    /// <summary>Port to bind on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; set; }
}
