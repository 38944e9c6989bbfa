using MongoDB.Bson;

namespace SnapshotService.Testing.Mongo.Storage;

/// <summary>
/// The replies of recent retryable writes by (lsid, txnNumber), so a write retried after a dropped connection is
/// answered from memory instead of applied twice. Bounded (oldest forgotten first) so long benchmarks do not grow
/// without limit; a real server keeps this per session for the session's lifetime. Callers hold the server lock.
/// </summary>
internal sealed class RetryableWriteMemory
{
    private const int Capacity = 100_000;
    private readonly Dictionary<string, BsonDocument> _replies = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public bool TryGet(string key, out BsonDocument reply) => _replies.TryGetValue(key, out reply!);

    public void Remember(string key, BsonDocument reply)
    {
        if (_replies.TryAdd(key, reply))
        {
            _order.Enqueue(key);
            if (_order.Count > Capacity)
            {
                _replies.Remove(_order.Dequeue());
            }
        }
    }
}
