using MongoDB.Bson;
using SnapshotService.Testing.Mongo.Cursors;

namespace SnapshotService.Testing.Mongo.ChangeStreams;

/// <summary>What a change stream watches: one collection, a database, or the whole cluster.</summary>
internal enum ChangeStreamScope
{
    Collection,
    Database,
    Cluster,
}

/// <summary>
/// An open change stream: its position in the oplog (every entry at or before <see cref="Position"/> has been
/// scanned), its options and the postBatchResumeToken of its last batch. Mutated under the server lock.
/// </summary>
internal sealed class ChangeStreamCursor(long id, string database, string collection, ChangeStreamScope scope,
    string fullDocument, IReadOnlyList<BsonDocument> matchStages) : ServerCursor(id, database, collection)
{
    public ChangeStreamScope Scope { get; } = scope;
    public string FullDocument { get; } = fullDocument;
    public IReadOnlyList<BsonDocument> MatchStages { get; } = matchStages;

    /// <summary>Timestamp value up to which the oplog has been scanned.</summary>
    public long Position { get; set; }

    /// <summary>Set when the stream resumed right after a drop/rename: the next event is the invalidate.</summary>
    public bool InvalidatePending { get; set; }

    /// <summary>True after the invalidate event was returned; the cursor is then closed (id 0).</summary>
    public bool Closed { get; set; }

    public BsonDocument PostBatchResumeToken { get; set; } = [];

    /// <summary>The ns the server names in cursor replies (database and cluster streams use the $cmd.aggregate form).</summary>
    public string ReplyNamespace => Scope == ChangeStreamScope.Collection ? Namespace : $"{Database}.$cmd.aggregate";
}
