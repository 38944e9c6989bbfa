using MongoDB.Bson;
using SnapshotService.Testing.Mongo.Storage;

namespace SnapshotService.Testing.Mongo;

/// <summary>
/// Server-side access for tests: read what a collection holds and write "from elsewhere". Writes go through
/// the same path as client writes, so they get a cluster time, an oplog entry and change events.
/// </summary>
public sealed class MongoServerData
{
    private readonly ServerState _state;

    internal MongoServerData(ServerState state) => _state = state;

    /// <summary>The collection's documents in _id order (deep copies; empty if it does not exist).</summary>
    public IReadOnlyList<BsonDocument> Documents(string database, string collection)
    {
        lock (_state.Sync)
        {
            return _state.Catalog.Get(database, collection)?.InIdOrder.Select(d => (BsonDocument)d.DeepClone()).ToList() ?? [];
        }
    }

    /// <summary>The document with this _id, or null.</summary>
    public BsonDocument? Find(string database, string collection, BsonValue id)
    {
        lock (_state.Sync)
        {
            return (BsonDocument?)_state.Catalog.Get(database, collection)?.Find(id)?.DeepClone();
        }
    }

    /// <summary>Whether the collection exists.</summary>
    public bool CollectionExists(string database, string collection)
    {
        lock (_state.Sync)
        {
            return _state.Catalog.Get(database, collection) is not null;
        }
    }

    /// <summary>Inserts a document (an _id is added if missing); returns the write's cluster time.</summary>
    public BsonTimestamp Insert(string database, string collection, BsonDocument document)
    {
        lock (_state.Sync)
        {
            return _state.Writer.Insert(database, collection, (BsonDocument)document.DeepClone(), session: null);
        }
    }

    /// <summary>
    /// Applies an update ($set/$unset/$inc or a replacement) to the document with this _id, upserting if asked;
    /// returns the cluster time after the write (a no-op update writes nothing, as on a real server).
    /// </summary>
    public BsonTimestamp Update(string database, string collection, BsonValue id, BsonDocument update, bool upsert = false)
    {
        lock (_state.Sync)
        {
            _state.Writer.Update(database, collection, new BsonDocument("_id", id), (BsonDocument)update.DeepClone(), upsert, multi: false, session: null);
            return _state.Clock.Current;
        }
    }

    /// <summary>Replaces (or inserts) the whole document, matched by its _id.</summary>
    public BsonTimestamp Replace(string database, string collection, BsonDocument document) =>
        Update(database, collection, document["_id"], document, upsert: true);

    /// <summary>Deletes the document with this _id; returns whether it existed.</summary>
    public bool Delete(string database, string collection, BsonValue id)
    {
        lock (_state.Sync)
        {
            return _state.Writer.Delete(database, collection, new BsonDocument("_id", id), limit: 1, session: null) == 1;
        }
    }

    /// <summary>Drops the collection: a "drop" event, then "invalidate" on streams watching it. False if it did not exist.</summary>
    public bool Drop(string database, string collection)
    {
        lock (_state.Sync)
        {
            return _state.Writer.Drop(database, collection);
        }
    }

    /// <summary>Renames the collection within its database: a "rename" event, then "invalidate" on streams watching it.</summary>
    public void Rename(string database, string collection, string toCollection, bool dropTarget = false)
    {
        lock (_state.Sync)
        {
            _state.Writer.Rename(database, collection, database, toCollection, dropTarget);
        }
    }

    /// <summary>The latest cluster time handed out.</summary>
    public BsonTimestamp ClusterTime
    {
        get
        {
            lock (_state.Sync)
            {
                return _state.Clock.Current;
            }
        }
    }

    /// <summary>Timestamp of the oldest oplog entry still held (null if the oplog is empty): the start of the resume window.</summary>
    public BsonTimestamp? OplogFirstTimestamp
    {
        get
        {
            lock (_state.Sync)
            {
                return _state.Oplog.Entries.Count > 0 ? _state.Oplog.Entries[0].Ts : null;
            }
        }
    }

    /// <summary>Timestamp of the newest oplog entry (null if the oplog is empty).</summary>
    public BsonTimestamp? OplogLastTimestamp
    {
        get
        {
            lock (_state.Sync)
            {
                return _state.Oplog.Entries.Count > 0 ? _state.Oplog.Entries[^1].Ts : null;
            }
        }
    }

    /// <summary>How many entries the oplog holds.</summary>
    public int OplogCount
    {
        get
        {
            lock (_state.Sync)
            {
                return _state.Oplog.Entries.Count;
            }
        }
    }
}
