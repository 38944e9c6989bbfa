using MongoDB.Bson;

namespace SnapshotService.Testing.Mongo.Cursors;

/// <summary>
/// A find/aggregate cursor over a snapshot of the results taken when the query ran (a real server reads
/// lazily; tests that write during a scan see the pre-scan state here).
/// </summary>
internal sealed class FindCursor(long id, string database, string collection, IEnumerable<BsonDocument> results)
    : ServerCursor(id, database, collection)
{
    private readonly Queue<BsonDocument> _remaining = new(results);

    public bool Exhausted => _remaining.Count == 0;

    public BsonArray NextBatch(int? batchSize)
    {
        var batch = new BsonArray();
        var max = batchSize is > 0 ? batchSize.Value : int.MaxValue;
        while (batch.Count < max && _remaining.TryDequeue(out var doc))
        {
            batch.Add(doc);
        }
        return batch;
    }
}
