using SnapshotService.Grains;
using SnapshotService.Views;

namespace SnapshotService.Snapshots;

/// <summary>
/// Deletes snapshots the auditable way: the anchor file stays, a tombstone marks it deleted, and
/// its views are freed. Retention then stops protecting the history only this snapshot needed.
/// </summary>
public sealed class SnapshotDeleter(SnapshotAnchorStore anchors)
{
    private readonly SnapshotTombstones _tombstones = new(anchors.Store);

    /// <summary>
    /// Marks the snapshot deleted (tombstone first, so a materialization racing with the delete
    /// sees it and removes what it published), then removes its views. Idempotent: a second call
    /// keeps the first deletion time and removes whatever a crashed first call left.
    /// Unknown snapshot → NotFound naming snapshot_id; malformed id → InvalidArgument.
    /// </summary>
    public async Task<DeletedSnapshot> DeleteAsync(string sourceId, string snapshotId, CancellationToken cancellationToken)
    {
        var anchor = await anchors.GetAsync(sourceId, snapshotId, cancellationToken).ConfigureAwait(false);
        var deletedAt = await _tombstones.MarkAsync(sourceId, snapshotId, cancellationToken).ConfigureAwait(false);
        var freed = await ViewRemover.RemoveAsync(anchors.Store, sourceId, snapshotId, cancellationToken).ConfigureAwait(false);
        return new DeletedSnapshot(anchor, deletedAt, freed);
    }
}

/// <summary>The result of <see cref="SnapshotDeleter.DeleteAsync"/>.</summary>
/// <param name="Anchor">The anchor (kept).</param>
/// <param name="DeletedAt">When it was (first) deleted.</param>
/// <param name="BytesFreed">Bytes of view files this call removed.</param>
public sealed record DeletedSnapshot(SnapshotAnchor Anchor, DateTimeOffset DeletedAt, long BytesFreed);
