using System.Globalization;
using SnapshotService.Errors;
using SnapshotService.Grains;
using SnapshotService.Retention;
using SnapshotService.Snapshots;
using SnapshotService.Storage;

namespace SnapshotService.Views;

/// <summary>
/// The user-facing side of views: materializing a snapshot with the checks a request needs
/// (deleted, pruned by retention), listing its published views, and freeing them on delete.
/// The work itself is <see cref="ViewMaterializer"/>'s; this class decides what the user is told.
/// </summary>
public sealed class SnapshotViews(IObjectStore store)
{
    private readonly SnapshotTombstones _tombstones = new(store);

    /// <summary>The store views live in.</summary>
    public IObjectStore Store => store;

    /// <summary>
    /// Materializes <paramref name="anchor"/> (or returns its published view). Refusals:
    /// deleted snapshot → FailedPrecondition; anchor whose history retention pruned →
    /// FailedPrecondition naming the first retained seq; anchor beyond the log → FailedPrecondition.
    /// </summary>
    /// <remarks>
    /// Deleting a snapshot while it is being materialized wins: the materialization removes what it
    /// published and reports the snapshot as deleted, so no view of a deleted snapshot survives.
    /// </remarks>
    public async Task<ViewManifest> MaterializeAsync(SnapshotAnchor anchor, ViewFormat format, ViewOptions options, IProgress<MaterializeProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        await RefuseDeletedAsync(anchor, cancellationToken).ConfigureAwait(false);
        var marker = await RetentionMarker.ReadAsync(store, anchor.SourceId, cancellationToken).ConfigureAwait(false);
        if (IsUnprotectedBelowRetention(anchor, marker))
        {
            throw Pruned(anchor, marker!);
        }
        ViewManifest manifest;
        try
        {
            manifest = await ViewMaterializer.MaterializeAsync(store, anchor.SourceId, anchor, format, options, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException) when (marker is not null && anchor.Seq < marker.FirstRetainedSeq)
        {
            // Missing history below the retention boundary: pruned (e.g. the anchor was created while
            // a collection ran), not damage.
            throw Pruned(anchor, marker);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("outside the committed log", StringComparison.Ordinal))
        {
            throw SnapshotServiceException.FailedPrecondition($"{e.Message} The export log is behind the anchor; was the export root replaced or restored from an older backup?", "snapshot_id");
        }
        catch (InvalidOperationException)
        {
            // E.g. the published manifest vanished mid-run: a delete raced with this materialization.
            await RefuseDeletedAsync(anchor, cancellationToken).ConfigureAwait(false);
            throw;
        }
        if (await _tombstones.ReadAsync(anchor.SourceId, anchor.Id, cancellationToken).ConfigureAwait(false) is not null)
        {
            await ViewRemover.RemoveAsync(store, anchor.SourceId, anchor.Id, cancellationToken).ConfigureAwait(false);
            await RefuseDeletedAsync(anchor, cancellationToken).ConfigureAwait(false);
        }
        return manifest;
    }

    /// <summary>The published views of a snapshot, JSONL first; formats not materialized are left out.</summary>
    public async Task<IReadOnlyList<ViewManifest>> ListPublishedAsync(string sourceId, string snapshotId, CancellationToken cancellationToken)
    {
        var views = new List<ViewManifest>(2);
        foreach (var format in (ViewFormat[])[ViewFormat.Jsonl, ViewFormat.Parquet])
        {
            if (await ViewMaterializer.ReadManifestAsync(store, sourceId, snapshotId, format, cancellationToken).ConfigureAwait(false) is { } manifest)
            {
                views.Add(manifest);
            }
        }
        return views;
    }

    /// <summary>The view folder of a format relative to the export root.</summary>
    public static string FolderOf(string sourceId, string snapshotId, ViewFormat format) => StoreKeys.ViewFolder(sourceId, snapshotId, ViewFormats.Name(format));

    /// <summary>True when the anchor lies below the retention boundary and was not retained by the collection that set it.</summary>
    public static bool IsUnprotectedBelowRetention(SnapshotAnchor anchor, RetentionMarker? marker)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        return marker is not null && anchor.Seq < marker.FirstRetainedSeq && anchor.CreatedAt > marker.PrunedAt;
    }

    private async Task RefuseDeletedAsync(SnapshotAnchor anchor, CancellationToken cancellationToken)
    {
        if (await _tombstones.ReadAsync(anchor.SourceId, anchor.Id, cancellationToken).ConfigureAwait(false) is { } deletedAt)
        {
            throw SnapshotServiceException.FailedPrecondition(
                $"snapshot '{anchor.Id}' of source '{anchor.SourceId}' was deleted at {Iso(deletedAt)}; its metadata is kept for audit but it cannot be materialized. Create a new snapshot (at_sequence {anchor.Seq} if retention still holds that history).",
                "snapshot_id");
        }
    }

    private static SnapshotServiceException Pruned(SnapshotAnchor anchor, RetentionMarker marker) =>
        SnapshotServiceException.FailedPrecondition(
            $"snapshot '{anchor.Id}' of source '{anchor.SourceId}' is at seq {anchor.Seq}, but retention pruned the log records before seq {marker.FirstRetainedSeq} (at {Iso(marker.PrunedAt)}) and this snapshot was not retained then. Snapshots at seq {marker.FirstRetainedSeq} or later can be materialized; to keep older history, raise SnapshotService:Retention:KeepLogFor / KeepLogCommits before creating snapshots there.",
            "snapshot_id");

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
