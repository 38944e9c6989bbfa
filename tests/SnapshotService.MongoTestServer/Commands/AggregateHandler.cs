using MongoDB.Bson;
using SnapshotService.Testing.Mongo.ChangeStreams;
using SnapshotService.Testing.Mongo.Storage;

namespace SnapshotService.Testing.Mongo.Commands;

/// <summary>
/// aggregate: a leading $changeStream (followed only by $match) opens a change stream; otherwise a small
/// pipeline over a collection ($match, $sort, $skip, $limit, $project, $count, and $group with _id null/constant
/// and $sum — enough for countDocuments). Other stages fail naming the stage.
/// </summary>
internal static class AggregateHandler
{
    private static readonly HashSet<string> FullDocumentModes = ["default", "updateLookup", "whenAvailable", "required"];

    public static void Register(CommandDispatcher dispatcher) => dispatcher.Add("aggregate", Aggregate);

    private static BsonDocument Aggregate(CommandContext context)
    {
        var pipeline = context.Command.GetValue("pipeline", new BsonArray()).AsBsonArray.Select(s => s.AsBsonDocument).ToList();
        var cursorOptions = context.Command.GetValue("cursor", new BsonDocument()).AsBsonDocument;
        return pipeline.Count > 0 && pipeline[0].GetElement(0).Name == "$changeStream"
            ? ChangeStream(context, pipeline, context.BatchSize(cursorOptions))
            : Pipeline(context, pipeline, context.BatchSize(cursorOptions));
    }

    private static BsonDocument ChangeStream(CommandContext context, List<BsonDocument> pipeline, int? batchSize)
    {
        var state = context.State;
        if (state.Faults.ChangeStreamsDisabled)
        {
            throw new CommandError(40573, "Location40573", "The $changeStream stage is only supported on replica sets");
        }
        var options = pipeline[0][0].AsBsonDocument;
        var fullDocument = options.GetValue("fullDocument", "default").AsString;
        if (!FullDocumentModes.Contains(fullDocument))
        {
            throw CommandError.BadValue($"'{fullDocument}' is not a valid fullDocument mode");
        }
        if (options.TryGetValue("fullDocumentBeforeChange", out var before) && before.AsString != "off")
        {
            throw CommandError.Unsupported("fullDocumentBeforeChange (pre-images)");
        }
        var matches = pipeline.Skip(1).Select(stage => stage.GetElement(0).Name == "$match"
            ? stage[0].AsBsonDocument
            : throw CommandError.Unsupported($"The stage {stage.GetElement(0).Name} after $changeStream")).ToList();
        var (scope, collection) = context.Argument switch
        {
            BsonString name => (ChangeStreamScope.Collection, name.Value),
            _ when options.GetValue("allChangesForCluster", false).ToBoolean() => (ChangeStreamScope.Cluster, ""),
            _ => (ChangeStreamScope.Database, ""),
        };
        lock (state.Sync)
        {
            var cursor = new ChangeStreamCursor(state.Cursors.NextId(), context.Database, collection, scope, fullDocument, matches);
            ChangeStreamStart.Apply(cursor, options, state);
            var firstBatch = ChangeStreamReader.ReadBatch(cursor, state, batchSize);
            if (!cursor.Closed)
            {
                state.Cursors.Add(cursor);
            }
            var reply = CursorHandler.Reply(cursor.Closed ? 0 : cursor.Id, cursor.ReplyNamespace, firstBatch, cursor.PostBatchResumeToken);
            var cursorDoc = reply["cursor"].AsBsonDocument;
            cursorDoc.SetElement(0, new BsonElement("firstBatch", cursorDoc[0]));
            return reply;
        }
    }

    private static BsonDocument Pipeline(CommandContext context, List<BsonDocument> pipeline, int? batchSize)
    {
        var collection = context.CollectionArgument;
        List<BsonDocument> results;
        lock (context.State.Sync)
        {
            IEnumerable<BsonDocument> docs = context.State.Catalog.Get(context.Database, collection)?.InNaturalOrder.ToList() ?? [];
            foreach (var stage in pipeline)
            {
                var value = stage[0];
                docs = stage.GetElement(0).Name switch
                {
                    "$match" => docs.Where(d => FilterMatcher.Matches(d, value.AsBsonDocument)).ToList(),
                    "$sort" => QueryShaping.Sort(docs, value.AsBsonDocument).ToList(),
                    "$skip" => docs.Skip(value.ToInt32()).ToList(),
                    "$limit" => docs.Take(value.ToInt32()).ToList(),
                    "$project" => docs.Select(d => QueryShaping.Project(d, value.AsBsonDocument)).ToList(),
                    "$count" => [new BsonDocument(value.AsString, docs.Count())],
                    "$group" => Group(docs.ToList(), value.AsBsonDocument),
                    var name => throw CommandError.Unsupported($"The aggregation stage {name}"),
                };
            }
            results = docs.Select(d => (BsonDocument)d.DeepClone()).ToList();
        }
        return CursorReply.First(context, collection, results, batchSize ?? FindHandler.DefaultFirstBatchSize);
    }

    /// <summary>One group over everything (_id a constant), with $sum of a constant or a field.</summary>
    private static List<BsonDocument> Group(List<BsonDocument> docs, BsonDocument spec)
    {
        var id = spec["_id"];
        if (id is BsonString s && s.Value.StartsWith('$') || id is BsonDocument)
        {
            throw CommandError.Unsupported("$group by a field");
        }
        if (docs.Count == 0)
        {
            return [];
        }
        var result = new BsonDocument("_id", id);
        foreach (var accumulator in spec.Where(e => e.Name != "_id"))
        {
            var op = accumulator.Value.AsBsonDocument.GetElement(0);
            if (op.Name != "$sum")
            {
                throw CommandError.Unsupported($"The accumulator {op.Name}");
            }
            result[accumulator.Name] = op.Value is BsonString { Value: var path } && path.StartsWith('$')
                ? docs.Sum(d => BsonPaths.Get(d, path[1..]) is { IsNumeric: true } v ? v.ToInt64() : 0L)
                : (BsonValue)(op.Value.ToInt64() * docs.Count);
        }
        if (result.Elements.Skip(1).All(e => e.Value is BsonInt64 { Value: >= int.MinValue and <= int.MaxValue }))
        {
            foreach (var element in result.Elements.Skip(1).ToList())
            {
                result[element.Name] = (int)element.Value.AsInt64;
            }
        }
        return [result];
    }
}
