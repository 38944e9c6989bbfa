using SnapshotService.Storage;

namespace SnapshotService.Views;

/// <summary>Frees the views of a snapshot: <c>views/{snapshotId}/</c>, every format.</summary>
public static class ViewRemover
{
    /// <summary>
    /// Deletes the manifests first (each view disappears for readers at once), then every other
    /// file under the snapshot's view folder. Returns the bytes freed. Safe to re-run after a crash:
    /// what is left is an unpublished folder, which a re-run (or retention's orphan sweep) removes.
    /// </summary>
    public static async Task<long> RemoveAsync(IObjectStore store, string sourceId, string snapshotId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var prefix = StoreKeys.ViewsPrefix(sourceId) + StoreKeys.Validate(snapshotId, nameof(snapshotId)) + "/";
        var files = new List<StoredObject>();
        await foreach (var item in store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            files.Add(item);
        }
        long freed = 0;
        foreach (var file in files.OrderBy(f => f.Key.EndsWith("/" + StoreKeys.ViewManifestName, StringComparison.Ordinal) ? 0 : 1))
        {
            if (await store.DeleteAsync(file.Key, cancellationToken).ConfigureAwait(false))
            {
                freed += file.Size;
            }
        }
        return freed;
    }
}
