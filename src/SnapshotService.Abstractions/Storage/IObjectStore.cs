namespace SnapshotService.Storage;

/// <summary>
/// The export layer's storage port: a flat namespace of immutable objects plus a few mutable
/// pointers. Keys are '/'-separated relative paths of <c>[a-z0-9._-]</c> segments (no empty
/// segment, no '.' or '..'); implementations refuse any key that could escape their root.
/// </summary>
public interface IObjectStore
{
    /// <summary>A short description for logs, e.g. "file:/var/data".</summary>
    string Description { get; }

    /// <summary>
    /// Creates <paramref name="key"/> with <paramref name="content"/> only if no object has that
    /// key; atomic (readers never see a partial object) and durable when it returns true. Returns
    /// false, writing nothing, when the key exists. This is the fencing primitive of the log
    /// (file: exclusive create via hard link; blob: If-None-Match: *).
    /// </summary>
    ValueTask<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Creates or atomically replaces <paramref name="key"/> (write-temp-then-rename); durable on return.</summary>
    ValueTask PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Reads a whole object, or returns null when it does not exist.</summary>
    ValueTask<byte[]?> ReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>True when the object exists.</summary>
    ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken);

    /// <summary>Lists objects whose keys start with <paramref name="prefix"/>, in ordinal key order.</summary>
    IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Deletes an object; returns false when it did not exist.</summary>
    ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken);
}

/// <summary>An entry of <see cref="IObjectStore.ListAsync"/>.</summary>
/// <param name="Key">The object's key.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="LastModified">When it was last written.</param>
public sealed record StoredObject(string Key, long Size, DateTimeOffset LastModified);
