namespace SnapshotService.Storage;

/// <summary>
/// <see cref="IObjectStore"/> on a local directory. Put-if-absent writes a temp file, fsyncs it
/// and hard-links it into place (link(2) fails with EEXIST: exclusive create with full content);
/// replace writes a temp file and renames it over the target; directories are fsynced after both.
/// </summary>
public sealed class FileSystemObjectStore : IObjectStore
{
    /// <summary>Creates a store rooted at <paramref name="rootDirectory"/> (created if missing).</summary>
    public FileSystemObjectStore(string rootDirectory) => throw new NotImplementedException();

    /// <inheritdoc />
    public string Description => throw new NotImplementedException();

    /// <inheritdoc />
    public ValueTask<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <inheritdoc />
    public ValueTask PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <inheritdoc />
    public ValueTask<byte[]?> ReadAsync(string key, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <inheritdoc />
    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <inheritdoc />
    public IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken) => throw new NotImplementedException();
}
