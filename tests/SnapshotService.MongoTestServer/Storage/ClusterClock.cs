using MongoDB.Bson;

namespace SnapshotService.Testing.Mongo.Storage;

/// <summary>
/// The replica set's logical clock: every write (and every idle change-stream wake-up) takes a fresh
/// timestamp, so timestamps are unique and strictly increasing like a real oplog's. Callers hold the
/// server lock.
/// </summary>
internal sealed class ClusterClock
{
    private int _seconds;
    private int _increment;

    /// <summary>The last timestamp handed out (0,0 before the first tick).</summary>
    public BsonTimestamp Current => new(_seconds, _increment);

    public BsonTimestamp Tick()
    {
        var now = (int)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (now > _seconds)
        {
            _seconds = now;
            _increment = 1;
        }
        else
        {
            _increment++;
        }
        return Current;
    }
}
