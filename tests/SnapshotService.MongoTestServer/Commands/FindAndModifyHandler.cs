using MongoDB.Bson;
using SnapshotService.Testing.Mongo.Storage;

namespace SnapshotService.Testing.Mongo.Commands;

/// <summary>
/// findAndModify (FindOneAndUpdate/Replace/Delete in the drivers): picks the first match in sort order, then
/// writes through the same path as update/delete, so it produces the same oplog entries and change events.
/// </summary>
internal static class FindAndModifyHandler
{
    public static void Register(CommandDispatcher dispatcher)
    {
        dispatcher.Add("findAndModify", context => WriteHandler.Retryable(context, FindAndModify));
        dispatcher.Add("findandmodify", context => WriteHandler.Retryable(context, FindAndModify));
    }

    private static BsonDocument FindAndModify(CommandContext context)
    {
        var command = context.Command;
        var collection = context.CollectionArgument;
        var query = command.GetValue("query", new BsonDocument()).AsBsonDocument;
        var sort = command.GetValue("sort", BsonNull.Value) as BsonDocument;
        var fields = command.GetValue("fields", BsonNull.Value) as BsonDocument;
        var remove = command.GetValue("remove", false).ToBoolean();
        var returnNew = command.GetValue("new", false).ToBoolean();
        var upsert = command.GetValue("upsert", false).ToBoolean();
        var writer = context.State.Writer;
        var stored = context.State.Catalog.Get(context.Database, collection);
        var target = stored is null ? null : QueryShaping.Sort(DocumentWriter.Candidates(stored, query), sort).FirstOrDefault();
        var lastError = new BsonDocument();
        BsonDocument? value;
        if (remove)
        {
            if (target is not null)
            {
                writer.Delete(context.Database, collection, new BsonDocument("_id", target["_id"]), 1, context.Session);
            }
            lastError["n"] = target is null ? 0 : 1;
            value = target;
        }
        else
        {
            if (command.GetValue("update", BsonNull.Value) is not BsonDocument update)
            {
                throw CommandError.Unsupported("findAndModify without an update document (or with a pipeline update)");
            }
            var filter = target is null ? query : new BsonDocument("_id", target["_id"]);
            var outcome = writer.Update(context.Database, collection, filter, update, upsert && target is null, multi: false, context.Session);
            var id = outcome.UpsertedId ?? target?["_id"];
            lastError["n"] = outcome.Matched + (outcome.UpsertedId is null ? 0 : 1);
            lastError["updatedExisting"] = target is not null;
            if (outcome.UpsertedId is not null)
            {
                lastError["upserted"] = outcome.UpsertedId;
            }
            value = returnNew && id is not null ? context.State.Catalog.Get(context.Database, collection)?.Find(id) : target;
        }
        return new BsonDocument
        {
            { "lastErrorObject", lastError },
            { "value", value is null ? BsonNull.Value : QueryShaping.Project((BsonDocument)value.DeepClone(), fields) },
            { "ok", 1.0 },
        };
    }
}
