using MongoDB.Bson;

namespace SnapshotService.Testing.Mongo.Cursors;

/// <summary>
/// A batch's byte budget. Like a real server, a batch stops short of 16 MiB whatever the batchSize, so a reply
/// (one BSON document holding the batch) never exceeds maxBsonObjectSize when a stream resumes far behind.
/// </summary>
internal sealed class BatchBudget
{
    private const int MaxBatchBytes = (16 * 1024 * 1024) - (64 * 1024);
    private long _used;

    /// <summary>Whether <paramref name="document"/> still fits; the first document of a batch always does.</summary>
    public bool TryAdd(BsonDocument document, int countSoFar)
    {
        var size = document.ToBson().Length;
        if (countSoFar > 0 && _used + size > MaxBatchBytes)
        {
            return false;
        }
        _used += size;
        return true;
    }
}
