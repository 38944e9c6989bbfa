using System.Globalization;
using MongoDB.Bson;
using SnapshotService.Testing.Mongo.Storage;

namespace SnapshotService.Testing.Mongo.Commands;

/// <summary>
/// insert, update and delete. Per-document failures (duplicate _id) are reported in writeErrors as the server
/// does. A retryable write (lsid + txnNumber) that is retried gets its first reply back without writing twice.
/// </summary>
internal static class WriteHandler
{
    public static void Register(CommandDispatcher dispatcher)
    {
        dispatcher.Add("insert", context => Retryable(context, Insert));
        dispatcher.Add("update", context => Retryable(context, Update));
        dispatcher.Add("delete", context => Retryable(context, Delete));
    }

    private static BsonDocument Retryable(CommandContext context, Func<CommandContext, BsonDocument> write)
    {
        var state = context.State;
        var session = context.Session;
        var key = session is null ? null : SessionKey(session);
        lock (state.Sync)
        {
            if (key is not null && state.RetryableWriteReplies.TryGetValue(key, out var earlier))
            {
                return (BsonDocument)earlier.DeepClone();
            }
            var reply = write(context);
            if (key is not null)
            {
                state.RetryableWriteReplies[key] = (BsonDocument)reply.DeepClone();
            }
            return reply;
        }
    }

    private static string SessionKey(WriteSession session) =>
        session.Lsid.GetValue("id", BsonNull.Value).ToString() + "/" + session.TxnNumber.ToString(CultureInfo.InvariantCulture);

    private static BsonDocument Insert(CommandContext context)
    {
        var collection = context.CollectionArgument;
        var documents = context.Command.GetValue("documents", new BsonArray()).AsBsonArray;
        var ordered = context.Command.GetValue("ordered", true).ToBoolean();
        var writeErrors = new BsonArray();
        var n = 0;
        for (var i = 0; i < documents.Count; i++)
        {
            try
            {
                context.State.Writer.Insert(context.Database, collection, documents[i].AsBsonDocument, context.Session);
                n++;
            }
            catch (CommandError error) when (error.Code == 11000)
            {
                writeErrors.Add(WriteError(i, error));
                if (ordered)
                {
                    break;
                }
            }
        }
        return Reply(n, writeErrors);
    }

    private static BsonDocument Update(CommandContext context)
    {
        var collection = context.CollectionArgument;
        var updates = context.Command.GetValue("updates", new BsonArray()).AsBsonArray;
        var ordered = context.Command.GetValue("ordered", true).ToBoolean();
        var writeErrors = new BsonArray();
        var upserted = new BsonArray();
        int n = 0, modified = 0;
        for (var i = 0; i < updates.Count; i++)
        {
            var spec = updates[i].AsBsonDocument;
            if (spec["u"] is BsonArray)
            {
                throw CommandError.Unsupported("An aggregation-pipeline update");
            }
            try
            {
                var outcome = context.State.Writer.Update(context.Database, collection, spec.GetValue("q", new BsonDocument()).AsBsonDocument,
                    spec["u"].AsBsonDocument, spec.GetValue("upsert", false).ToBoolean(), spec.GetValue("multi", false).ToBoolean(), context.Session);
                n += outcome.Matched;
                modified += outcome.Modified;
                if (outcome.UpsertedId is not null)
                {
                    n++;
                    upserted.Add(new BsonDocument { { "index", i }, { "_id", outcome.UpsertedId } });
                }
            }
            catch (CommandError error) when (error.Code is 11000 or 66 or 9 or 14)
            {
                writeErrors.Add(WriteError(i, error));
                if (ordered)
                {
                    break;
                }
            }
        }
        var reply = new BsonDocument { { "n", n }, { "nModified", modified } };
        if (upserted.Count > 0)
        {
            reply["upserted"] = upserted;
        }
        return Finish(reply, writeErrors);
    }

    private static BsonDocument Delete(CommandContext context)
    {
        var collection = context.CollectionArgument;
        var deletes = context.Command.GetValue("deletes", new BsonArray()).AsBsonArray;
        var n = 0;
        foreach (var spec in deletes.Select(d => d.AsBsonDocument))
        {
            n += context.State.Writer.Delete(context.Database, collection, spec.GetValue("q", new BsonDocument()).AsBsonDocument,
                spec.GetValue("limit", 0).ToInt32(), context.Session);
        }
        return Reply(n, []);
    }

    private static BsonDocument WriteError(int index, CommandError error) => new()
    {
        { "index", index },
        { "code", error.Code },
        { "codeName", error.CodeName },
        { "errmsg", error.Message },
    };

    private static BsonDocument Reply(int n, BsonArray writeErrors) => Finish(new BsonDocument("n", n), writeErrors);

    private static BsonDocument Finish(BsonDocument reply, BsonArray writeErrors)
    {
        if (writeErrors.Count > 0)
        {
            reply["writeErrors"] = writeErrors;
        }
        reply["ok"] = 1.0;
        return reply;
    }
}
