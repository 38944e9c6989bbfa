using MongoDB.Bson;
using SnapshotService.Testing.Mongo.Cursors;

namespace SnapshotService.Testing.Mongo.Commands;

/// <summary>The {cursor: {firstBatch, id, ns}} reply of find/aggregate/listCollections, opening a cursor when results remain.</summary>
internal static class CursorReply
{
    public static BsonDocument First(CommandContext context, string collection, IEnumerable<BsonDocument> results, int? batchSize, bool singleBatch = false)
    {
        var registry = context.State.Cursors;
        var cursor = new FindCursor(registry.NextId(), context.Database, collection, results);
        var firstBatch = cursor.NextBatch(batchSize);
        var id = 0L;
        if (!cursor.Exhausted && !singleBatch)
        {
            registry.Add(cursor);
            id = cursor.Id;
        }
        return new BsonDocument
        {
            { "cursor", new BsonDocument { { "firstBatch", firstBatch }, { "id", id }, { "ns", cursor.Namespace } } },
            { "ok", 1.0 },
        };
    }
}
