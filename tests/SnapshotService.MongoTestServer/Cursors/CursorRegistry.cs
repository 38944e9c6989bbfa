using System.Collections.Concurrent;

namespace SnapshotService.Testing.Mongo.Cursors;

/// <summary>Open cursors by id. Cursors are server-wide (not per connection): a driver may getMore on any pooled connection.</summary>
internal sealed class CursorRegistry
{
    private readonly ConcurrentDictionary<long, ServerCursor> _cursors = new();
    private long _lastId = 1000;

    public long NextId() => Interlocked.Increment(ref _lastId) * 7919;

    public void Add(ServerCursor cursor) => _cursors[cursor.Id] = cursor;

    public ServerCursor? Get(long id) => _cursors.GetValueOrDefault(id);

    public bool Remove(long id) => _cursors.TryRemove(id, out _);
}
