using SnapshotService.Storage;

namespace SnapshotService.State;

/// <summary>
/// Removes live-state manifests beyond the newest <see cref="LiveStateOptions.KeepManifests"/>
/// and range and pack files no kept manifest references. Manifests pinned by retention
/// (<see cref="Retention.ManifestPins"/>: the one each retained snapshot's view starts from, and
/// the retention boundary) are kept whatever their age, so pruned history never strands a snapshot.
/// </summary>
public static class LiveStateGarbageCollector
{
    /// <summary>
    /// Deletes old manifests, then unreferenced range files older than <paramref name="minAge"/>
    /// (which protects files a running compaction has written but not yet named in a manifest;
    /// use minutes). Returns the keys removed. Run it from the same caller as compaction, not
    /// concurrently with it.
    /// </summary>
    /// <exception cref="InvalidDataException">A kept manifest cannot be read: nothing further is deleted, since its files cannot be known.</exception>
    public static async Task<IReadOnlyList<string>> CollectAsync(IObjectStore store, string sourceId, LiveStateOptions options, TimeSpan minAge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        var state = new LiveStateReader(store, sourceId);
        var root = StoreKeys.SourceRoot(state.SourceId);
        var cutoff = DateTimeOffset.UtcNow - minAge;

        // List range files before reading manifests: a file referenced by a manifest written meanwhile is young, so minAge keeps it.
        var candidates = new List<string>();
        foreach (var prefix in new[] { StoreKeys.StateRangesPrefix(state.SourceId), StoreKeys.StatePacksPrefix(state.SourceId) })
        {
            await foreach (var item in store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
            {
                if (item.LastModified <= cutoff)
                {
                    candidates.Add(item.Key);
                }
            }
        }
        var numbers = await state.ListManifestCommitsAsync(cancellationToken).ConfigureAwait(false);
        var keepFrom = Math.Max(0, numbers.Count - options.KeepManifests);
        var pinned = await Retention.ManifestPins.ComputeAsync(store, state.SourceId, numbers, cancellationToken).ConfigureAwait(false);
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < numbers.Count; i++)
        {
            if (i < keepFrom && !pinned.Contains(numbers[i]))
            {
                continue;
            }
            var manifest = await state.ReadManifestAsync(numbers[i], cancellationToken).ConfigureAwait(false);
            foreach (var range in manifest?.Ranges ?? [])
            {
                if (range.File is not null)
                {
                    referenced.Add(root + range.File);
                }
            }
            // Packs are only written together with file counts, so a manifest without counts names none.
            foreach (var file in manifest?.Files ?? [])
            {
                referenced.Add(root + file.Name);
            }
        }
        var removed = new List<string>();
        for (var i = 0; i < keepFrom; i++)
        {
            if (pinned.Contains(numbers[i]))
            {
                continue;
            }
            var key = StoreKeys.StateManifest(state.SourceId, numbers[i]);
            if (await store.DeleteAsync(key, cancellationToken).ConfigureAwait(false))
            {
                removed.Add(key);
            }
        }
        foreach (var key in candidates)
        {
            if (!referenced.Contains(key) && await store.DeleteAsync(key, cancellationToken).ConfigureAwait(false))
            {
                removed.Add(key);
            }
        }
        return removed;
    }
}
