using MongoDB.Bson;

namespace SnapshotService.Testing.Mongo.Commands;

/// <summary>
/// find on a collection, or on local.oplog.rs (sorted by $natural), which is how tools measure the oplog window.
/// Supports filter, sort, projection, skip, limit, batchSize and singleBatch.
/// </summary>
internal static class FindHandler
{
    /// <summary>The server's default first batch when the client names none.</summary>
    public const int DefaultFirstBatchSize = 101;

    public static void Register(CommandDispatcher dispatcher) => dispatcher.Add("find", Find);

    private static BsonDocument Find(CommandContext context)
    {
        var command = context.Command;
        var collection = context.CollectionArgument;
        var filter = command.GetValue("filter", BsonNull.Value) as BsonDocument;
        var sort = command.GetValue("sort", BsonNull.Value) as BsonDocument;
        var projection = command.GetValue("projection", BsonNull.Value) as BsonDocument;
        var skip = command.GetValue("skip", 0).ToInt32();
        var limit = command.GetValue("limit", 0).ToInt64();
        var singleBatch = command.GetValue("singleBatch", false).ToBoolean() || limit < 0;
        limit = Math.Abs(limit);
        var state = context.State;
        List<BsonDocument> results;
        lock (state.Sync)
        {
            var natural = context.Database == "local" && collection == "oplog.rs"
                ? state.Oplog.Entries.Select(e => e.ToOplogDocument())
                : state.Catalog.Get(context.Database, collection)?.InNaturalOrder ?? [];
            var matched = natural.Where(d => Storage.FilterMatcher.Matches(d, filter));
            var shaped = QueryShaping.Sort(matched, sort).Skip(skip);
            if (limit > 0)
            {
                shaped = shaped.Take((int)Math.Min(limit, int.MaxValue));
            }
            results = shaped.Select(d => (BsonDocument)QueryShaping.Project(d, projection).DeepClone()).ToList();
        }
        return CursorReply.First(context, collection, results, context.BatchSize(command) ?? DefaultFirstBatchSize, singleBatch);
    }
}
