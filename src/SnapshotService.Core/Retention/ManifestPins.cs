using SnapshotService.State;
using SnapshotService.Storage;

namespace SnapshotService.Retention;

/// <summary>
/// The live-state checkpoints (manifests) that must survive garbage collection whatever the
/// count rule says: for every retained snapshot, the newest manifest at or before its seq (the
/// one its view starts from, so its cost stays "live data + short tail" and the history below it
/// may be pruned), and the checkpoint at the retention boundary.
/// </summary>
public static class ManifestPins
{
    /// <summary>
    /// Commit numbers (among <paramref name="manifestCommits"/>, ascending) to keep. Reads each
    /// listed manifest once and lists the anchors; unreadable manifests are pinned (never delete
    /// what cannot be understood).
    /// </summary>
    public static async Task<IReadOnlySet<long>> ComputeAsync(IObjectStore store, string sourceId, IReadOnlyList<long> manifestCommits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifestCommits);
        var pinned = new HashSet<long>();
        if (manifestCommits.Count == 0)
        {
            return pinned;
        }
        var state = new LiveStateReader(store, sourceId);
        var lastSeqs = new List<(long Commit, long LastSeq)>(manifestCommits.Count);
        foreach (var commit in manifestCommits)
        {
            try
            {
                if (await state.ReadManifestAsync(commit, cancellationToken).ConfigureAwait(false) is { } manifest)
                {
                    lastSeqs.Add((commit, manifest.LastSeq));
                }
            }
            catch (InvalidDataException)
            {
                pinned.Add(commit);
            }
        }
        var marker = await RetentionMarker.ReadAsync(store, sourceId, cancellationToken).ConfigureAwait(false);
        if (marker is { BoundaryCommit: > 0 })
        {
            pinned.Add(marker.BoundaryCommit);
        }
        foreach (var anchor in await RetainedSnapshots.ListAsync(store, sourceId, cancellationToken).ConfigureAwait(false))
        {
            if (NewestAtOrBefore(lastSeqs, anchor.Seq) is { } commit)
            {
                pinned.Add(commit);
            }
        }
        return pinned;
    }

    /// <summary>The commit of the newest manifest whose LastSeq ≤ <paramref name="seq"/>, or null.</summary>
    public static long? NewestAtOrBefore(IReadOnlyList<(long Commit, long LastSeq)> manifests, long seq)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        long? found = null;
        foreach (var (commit, lastSeq) in manifests)
        {
            if (lastSeq <= seq)
            {
                found = commit;
            }
        }
        return found;
    }
}
