using SnapshotService.Storage;

namespace SnapshotService.Core.Tests.Storage;

/// <summary>
/// Decorator that simulates a process crash: after <c>writesBeforeCrash</c> successful writes,
/// every further write throws <see cref="SimulatedCrashException"/> without writing. What was
/// written before stays (a segment without its commit, a commit without its checkpoint…).
/// </summary>
public sealed class CrashingObjectStore(IObjectStore inner, int writesBeforeCrash) : IObjectStore
{
    private int _writes;

    public bool Crashed => Volatile.Read(ref _writes) > writesBeforeCrash;

    public string Description => inner.Description;

    public ValueTask<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        CountWrite(key);
        return inner.PutIfAbsentAsync(key, content, cancellationToken);
    }

    public ValueTask PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        CountWrite(key);
        return inner.PutAsync(key, content, cancellationToken);
    }

    public ValueTask<byte[]?> ReadAsync(string key, CancellationToken cancellationToken) => inner.ReadAsync(key, cancellationToken);

    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken) => inner.ExistsAsync(key, cancellationToken);

    public IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    public ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

    private void CountWrite(string key)
    {
        if (Interlocked.Increment(ref _writes) > writesBeforeCrash)
        {
            throw new SimulatedCrashException($"simulated crash before writing '{key}'");
        }
    }
}

public sealed class SimulatedCrashException(string message) : Exception(message);
