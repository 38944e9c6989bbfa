using MongoDB.Bson;
using SnapshotService.Testing.Mongo.Storage;

namespace SnapshotService.Testing.Mongo.Commands;

/// <summary>
/// listCollections, listDatabases, create, drop, renameCollection, dropDatabase, count, and createIndexes /
/// listIndexes (accepted but only the _id index exists: the server scans, it has no secondary indexes).
/// </summary>
internal static class CatalogHandler
{
    public static void Register(CommandDispatcher dispatcher)
    {
        dispatcher.Add("listCollections", ListCollections);
        dispatcher.Add("listDatabases", ListDatabases);
        dispatcher.Add("create", Create);
        dispatcher.Add("drop", Drop);
        dispatcher.Add("renameCollection", Rename);
        dispatcher.Add("dropDatabase", DropDatabase);
        dispatcher.Add("count", Count);
        dispatcher.Add("createIndexes", CreateIndexes);
        dispatcher.Add("listIndexes", ListIndexes);
    }

    private static BsonDocument ListCollections(CommandContext context)
    {
        var filter = context.Command.GetValue("filter", BsonNull.Value) as BsonDocument;
        List<BsonDocument> infos;
        lock (context.State.Sync)
        {
            infos = context.State.Catalog.All.Where(c => c.Database == context.Database).OrderBy(c => c.Name, StringComparer.Ordinal)
                .Select(c => new BsonDocument
                {
                    { "name", c.Name },
                    { "type", "collection" },
                    { "options", new BsonDocument() },
                    { "info", new BsonDocument { { "readOnly", false }, { "uuid", new BsonBinaryData(c.Uuid, GuidRepresentation.Standard) } } },
                    { "idIndex", IdIndex() },
                })
                .Where(d => FilterMatcher.Matches(d, filter)).ToList();
        }
        var cursorOptions = context.Command.GetValue("cursor", new BsonDocument()).AsBsonDocument;
        return CursorReply.First(context, "$cmd.listCollections", infos, context.BatchSize(cursorOptions));
    }

    private static BsonDocument ListDatabases(CommandContext context)
    {
        List<string> names;
        lock (context.State.Sync)
        {
            names = context.State.Catalog.All.Select(c => c.Database).Distinct().Order(StringComparer.Ordinal).ToList();
        }
        var databases = new BsonArray(names.Select(n => new BsonDocument { { "name", n }, { "sizeOnDisk", 4096L }, { "empty", false } }));
        return new BsonDocument { { "databases", databases }, { "totalSize", 4096L * names.Count }, { "ok", 1.0 } };
    }

    private static BsonDocument Create(CommandContext context)
    {
        lock (context.State.Sync)
        {
            if (context.State.Catalog.Get(context.Database, context.CollectionArgument) is not null)
            {
                throw new CommandError(48, "NamespaceExists", $"Collection {context.Database}.{context.CollectionArgument} already exists.");
            }
            context.State.Catalog.GetOrCreate(context.Database, context.CollectionArgument);
        }
        return new BsonDocument("ok", 1.0);
    }

    private static BsonDocument Drop(CommandContext context)
    {
        lock (context.State.Sync)
        {
            // Dropping a missing collection succeeds on MongoDB 7.0.
            context.State.Writer.Drop(context.Database, context.CollectionArgument);
        }
        return new BsonDocument { { "nIndexesWas", 1 }, { "ns", $"{context.Database}.{context.CollectionArgument}" }, { "ok", 1.0 } };
    }

    private static BsonDocument Rename(CommandContext context)
    {
        var from = SplitNamespace(context.Argument.AsString);
        var to = SplitNamespace(context.Command["to"].AsString);
        lock (context.State.Sync)
        {
            context.State.Writer.Rename(from.Database, from.Collection, to.Database, to.Collection, context.Command.GetValue("dropTarget", false).ToBoolean());
        }
        return new BsonDocument("ok", 1.0);
    }

    /// <summary>Drops each collection (drop + invalidate events per collection); no dropDatabase event is emitted.</summary>
    private static BsonDocument DropDatabase(CommandContext context)
    {
        lock (context.State.Sync)
        {
            foreach (var collection in context.State.Catalog.All.Where(c => c.Database == context.Database).ToList())
            {
                context.State.Writer.Drop(collection.Database, collection.Name);
            }
        }
        return new BsonDocument { { "dropped", context.Database }, { "ok", 1.0 } };
    }

    private static BsonDocument Count(CommandContext context)
    {
        var filter = context.Command.GetValue("query", BsonNull.Value) as BsonDocument;
        int n;
        lock (context.State.Sync)
        {
            var stored = context.State.Catalog.Get(context.Database, context.CollectionArgument);
            n = stored is null ? 0 : DocumentWriter.Candidates(stored, filter).Count();
        }
        return new BsonDocument { { "n", n }, { "ok", 1.0 } };
    }

    private static BsonDocument CreateIndexes(CommandContext context)
    {
        lock (context.State.Sync)
        {
            context.State.Catalog.GetOrCreate(context.Database, context.CollectionArgument);
        }
        return new BsonDocument { { "numIndexesBefore", 1 }, { "numIndexesAfter", 1 }, { "note", "indexes are not built by the test server" }, { "ok", 1.0 } };
    }

    private static BsonDocument ListIndexes(CommandContext context) =>
        CursorReply.First(context, context.CollectionArgument, [IdIndex()], batchSize: null);

    private static BsonDocument IdIndex() => new() { { "v", 2 }, { "key", new BsonDocument("_id", 1) }, { "name", "_id_" } };

    private static (string Database, string Collection) SplitNamespace(string ns)
    {
        var dot = ns.IndexOf('.', StringComparison.Ordinal);
        return dot <= 0 ? throw new CommandError(73, "InvalidNamespace", $"Invalid namespace specified '{ns}'") : (ns[..dot], ns[(dot + 1)..]);
    }
}
