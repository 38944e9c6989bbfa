using MongoDB.Bson;
using SnapshotService.Testing.Mongo.Commands;

namespace SnapshotService.Testing.Mongo.Storage;

internal sealed record UpdateOutcome(int Matched, int Modified, BsonValue? UpsertedId);

/// <summary>
/// Every write, whether a client command or a server-side test write, goes through here: it changes the
/// collection and appends one oplog entry per document with a fresh cluster time, so change streams see
/// writes from "elsewhere" exactly like client writes. Callers hold the server lock.
/// </summary>
internal sealed class DocumentWriter(Catalog catalog, Oplog oplog, ClusterClock clock)
{
    public BsonTimestamp Insert(string database, string collection, BsonDocument document, WriteSession? session)
    {
        if (!document.Contains("_id"))
        {
            document.InsertAt(0, new BsonElement("_id", ObjectId.GenerateNewId()));
        }
        var stored = catalog.GetOrCreate(database, collection);
        var copy = (BsonDocument)document.DeepClone();
        if (!stored.TryInsert(copy))
        {
            throw new CommandError(11000, "DuplicateKey",
                $"E11000 duplicate key error collection: {database}.{collection} index: _id_ dup key: {{ _id: {document["_id"]} }}");
        }
        return Append(OplogOperation.Insert, database, collection, copy, session, postImage: copy);
    }

    public UpdateOutcome Update(string database, string collection, BsonDocument filter, BsonDocument update, bool upsert, bool multi, WriteSession? session)
    {
        var replacement = UpdateApplier.IsReplacement(update);
        if (replacement && multi)
        {
            throw new CommandError(9, "FailedToParse", "multi update is not supported for replacement-style update");
        }
        var stored = catalog.Get(database, collection);
        var targets = stored is null ? [] : Candidates(stored, filter).Take(multi ? int.MaxValue : 1).ToList();
        if (targets.Count == 0)
        {
            return upsert ? Upsert(database, collection, filter, update, replacement, session) : new UpdateOutcome(0, 0, null);
        }
        var modified = 0;
        foreach (var current in targets)
        {
            if (replacement)
            {
                var next = WithId(update, current["_id"]);
                if (next.Equals(current))
                {
                    continue;
                }
                stored!.Replace(next);
                Append(OplogOperation.Replace, database, collection, next, session, postImage: next);
            }
            else
            {
                var applied = UpdateApplier.Apply(current, update, inserting: false);
                if (!applied.Changed)
                {
                    // A no-op update writes no oplog entry on a real server, so no change event either.
                    continue;
                }
                stored!.Replace(applied.Document);
                Append(OplogOperation.Update, database, collection, applied.Document, session, postImage: applied.Document, update: applied);
            }
            modified++;
        }
        return new UpdateOutcome(targets.Count, modified, null);
    }

    public int Delete(string database, string collection, BsonDocument filter, int limit, WriteSession? session)
    {
        var stored = catalog.Get(database, collection);
        if (stored is null)
        {
            return 0;
        }
        var targets = Candidates(stored, filter).Take(limit == 0 ? int.MaxValue : limit).ToList();
        foreach (var doc in targets)
        {
            stored.Remove(doc["_id"]);
            Append(OplogOperation.Delete, database, collection, doc, session, postImage: null);
        }
        return targets.Count;
    }

    public bool Drop(string database, string collection)
    {
        if (!catalog.Remove(database, collection))
        {
            return false;
        }
        oplog.Append(new OplogEntry(clock.Tick(), DateTime.UtcNow, OplogOperation.Drop, database, collection));
        return true;
    }

    public void Rename(string database, string collection, string toDatabase, string toCollection, bool dropTarget)
    {
        var source = catalog.Get(database, collection)
            ?? throw new CommandError(26, "NamespaceNotFound", $"Source collection {database}.{collection} does not exist");
        if (catalog.Get(toDatabase, toCollection) is not null)
        {
            if (!dropTarget)
            {
                throw new CommandError(48, "NamespaceExists", $"target namespace exists: {toDatabase}.{toCollection}");
            }
            Drop(toDatabase, toCollection);
        }
        catalog.Move(source, toDatabase, toCollection);
        oplog.Append(new OplogEntry(clock.Tick(), DateTime.UtcNow, OplogOperation.Rename, database, collection,
            RenameToDatabase: toDatabase, RenameToCollection: toCollection));
    }

    /// <summary>Documents matching a filter in _id order; an _id equality filter is a direct lookup.</summary>
    public static IEnumerable<BsonDocument> Candidates(StoredCollection stored, BsonDocument? filter)
    {
        if (filter is not null && filter.TryGetValue("_id", out var id) && id is not BsonDocument && id is not BsonRegularExpression)
        {
            var doc = stored.Find(id);
            return doc is not null && FilterMatcher.Matches(doc, filter) ? [doc] : [];
        }
        return stored.InIdOrder.Where(d => FilterMatcher.Matches(d, filter)).ToList();
    }

    private UpdateOutcome Upsert(string database, string collection, BsonDocument filter, BsonDocument update, bool replacement, WriteSession? session)
    {
        BsonDocument document;
        if (replacement)
        {
            var id = update.GetValue("_id", null) ?? filter.GetValue("_id", null) ?? ObjectId.GenerateNewId();
            document = WithId(update, id);
        }
        else
        {
            var seed = new BsonDocument(FilterMatcher.EqualityFields(filter));
            document = UpdateApplier.Apply(seed, update, inserting: true).Document;
            if (!document.Contains("_id"))
            {
                document.InsertAt(0, new BsonElement("_id", ObjectId.GenerateNewId()));
            }
            else if (document.IndexOfName("_id") != 0)
            {
                var id = document["_id"];
                document.Remove("_id");
                document.InsertAt(0, new BsonElement("_id", id));
            }
        }
        Insert(database, collection, document, session);
        return new UpdateOutcome(0, 0, document["_id"]);
    }

    private static BsonDocument WithId(BsonDocument replacement, BsonValue id)
    {
        if (replacement.TryGetValue("_id", out var given) && BsonValueOrder.Instance.Compare(given, id) != 0)
        {
            throw new CommandError(66, "ImmutableField", "After applying the update, the (immutable) field '_id' was found to have been altered");
        }
        var document = new BsonDocument("_id", id);
        foreach (var element in replacement)
        {
            if (element.Name != "_id")
            {
                document.Add(element.Name, element.Value.DeepClone());
            }
        }
        return document;
    }

    private BsonTimestamp Append(OplogOperation operation, string database, string collection, BsonDocument document, WriteSession? session,
        BsonDocument? postImage, AppliedUpdate? update = null)
    {
        var ts = clock.Tick();
        oplog.Append(new OplogEntry(ts, DateTime.UtcNow, operation, database, collection,
            DocumentKey: new BsonDocument("_id", document["_id"]),
            PostImage: (BsonDocument?)postImage?.DeepClone(),
            Update: update,
            Session: session));
        return ts;
    }
}
