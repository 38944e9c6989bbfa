using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace SnapshotService.Storage;

/// <summary>
/// <see cref="IObjectStore"/> in memory, with the same key rules and put-if-absent semantics as
/// the durable stores. For tests and benchmarks only: nothing survives the process.
/// </summary>
public sealed class InMemoryObjectStore : IObjectStore
{
    private readonly ConcurrentDictionary<string, StoredEntry> _objects = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public string Description => "memory:";

    /// <summary>Number of objects held.</summary>
    public int Count => _objects.Count;

    /// <summary>Sets an object's last-modified time (tests of age-based garbage collection).</summary>
    public void SetLastModified(string key, DateTimeOffset lastModified) =>
        _objects[key] = _objects[key] with { LastModified = lastModified };

    /// <inheritdoc />
    public ValueTask<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        StoreKeys.Validate(key);
        return ValueTask.FromResult(_objects.TryAdd(key, new StoredEntry(content.ToArray(), DateTimeOffset.UtcNow)));
    }

    /// <inheritdoc />
    public ValueTask PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        StoreKeys.Validate(key);
        _objects[key] = new StoredEntry(content.ToArray(), DateTimeOffset.UtcNow);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<byte[]?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        StoreKeys.Validate(key);
        return ValueTask.FromResult(_objects.TryGetValue(key, out var entry) ? (byte[]?)entry.Content.ToArray() : null);
    }

    /// <inheritdoc />
    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        StoreKeys.Validate(key);
        return ValueTask.FromResult(_objects.ContainsKey(key));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        prefix = StoreKeys.ValidatePrefix(prefix);
        var found = new List<StoredObject>();
        foreach (var (key, entry) in _objects)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                found.Add(new StoredObject(key, entry.Content.Length, entry.LastModified));
            }
        }
        found.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var item in found)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        StoreKeys.Validate(key);
        return ValueTask.FromResult(_objects.TryRemove(key, out _));
    }

    private sealed record StoredEntry(byte[] Content, DateTimeOffset LastModified);
}
