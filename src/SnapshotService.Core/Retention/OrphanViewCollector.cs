using SnapshotService.Snapshots;
using SnapshotService.Storage;

namespace SnapshotService.Retention;

/// <summary>
/// Collects view files nobody will read: every view of a deleted snapshot (a delete that crashed
/// half-way, or a materialization that published after the delete), and unpublished view folders
/// (no manifest) whose newest file is older than the minimum age: a crashed or abandoned run.
/// </summary>
public static class OrphanViewCollector
{
    /// <summary>Returns the files and bytes deleted.</summary>
    public static async Task<(int Files, long Bytes)> CollectAsync(IObjectStore store, string sourceId, TimeSpan minAge, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var prefix = StoreKeys.ViewsPrefix(sourceId);
        var folders = new SortedDictionary<string, List<StoredObject>>(StringComparer.Ordinal);
        await foreach (var item in store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            // views/{snapshotId}/{format}/{file}
            var parts = item.Key[prefix.Length..].Split('/');
            if (parts.Length == 3)
            {
                var folder = parts[0] + "/" + parts[1];
                if (!folders.TryGetValue(folder, out var files))
                {
                    folders[folder] = files = [];
                }
                files.Add(item);
            }
        }
        if (folders.Count == 0)
        {
            return (0, 0);
        }
        var deleted = await new SnapshotTombstones(store).ListDeletedAsync(sourceId, cancellationToken).ConfigureAwait(false);
        var count = 0;
        long bytes = 0;
        foreach (var (folder, files) in folders)
        {
            var snapshotId = folder[..folder.IndexOf('/', StringComparison.Ordinal)];
            var published = files.Any(f => f.Key.EndsWith("/" + StoreKeys.ViewManifestName, StringComparison.Ordinal));
            var abandoned = !published && files.Max(f => f.LastModified) <= now - minAge;
            if (!deleted.Contains(snapshotId) && !abandoned)
            {
                continue;
            }
            // Manifest first: the view disappears for readers before its parts do.
            foreach (var file in files.OrderBy(f => f.Key.EndsWith("/" + StoreKeys.ViewManifestName, StringComparison.Ordinal) ? 0 : 1))
            {
                if (await store.DeleteAsync(file.Key, cancellationToken).ConfigureAwait(false))
                {
                    count++;
                    bytes += file.Size;
                }
            }
        }
        return (count, bytes);
    }
}
