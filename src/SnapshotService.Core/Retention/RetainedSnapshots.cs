using SnapshotService.Grains;
using SnapshotService.Snapshots;
using SnapshotService.Storage;

namespace SnapshotService.Retention;

/// <summary>The snapshots retention must protect: every anchor not deleted.</summary>
public static class RetainedSnapshots
{
    /// <summary>Every non-deleted anchor of the source, oldest first (one listing plus one small read per anchor).</summary>
    public static async Task<IReadOnlyList<SnapshotAnchor>> ListAsync(IObjectStore store, string sourceId, CancellationToken cancellationToken)
    {
        var anchors = new SnapshotAnchorStore(store);
        var deleted = await new SnapshotTombstones(store).ListDeletedAsync(sourceId, cancellationToken).ConfigureAwait(false);
        var retained = new List<SnapshotAnchor>();
        string? token = null;
        do
        {
            var (page, next) = await anchors.ListAsync(sourceId, SnapshotAnchorStore.MaxPageSize, token, cancellationToken).ConfigureAwait(false);
            retained.AddRange(page.Where(a => !deleted.Contains(a.Id)));
            token = next;
        }
        while (token is not null);
        retained.Reverse();
        return retained;
    }
}
