using System.Collections.Concurrent;
using SnapshotService.Storage;

namespace SnapshotService.Core.Tests.Storage;

/// <summary>Decorator that records every key read, so tests can assert how much a recovery touched.</summary>
public sealed class CountingObjectStore(IObjectStore inner) : IObjectStore
{
    public ConcurrentQueue<string> Reads { get; } = new();

    public int Writes;

    public int Lists;

    public string Description => inner.Description;

    public void Reset()
    {
        Reads.Clear();
        Writes = 0;
        Lists = 0;
    }

    public ValueTask<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Writes);
        return inner.PutIfAbsentAsync(key, content, cancellationToken);
    }

    public ValueTask PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Writes);
        return inner.PutAsync(key, content, cancellationToken);
    }

    public ValueTask<byte[]?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        Reads.Enqueue(key);
        return inner.ReadAsync(key, cancellationToken);
    }

    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken) => inner.ExistsAsync(key, cancellationToken);

    public IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Lists);
        return inner.ListAsync(prefix, cancellationToken);
    }

    public ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);
}
