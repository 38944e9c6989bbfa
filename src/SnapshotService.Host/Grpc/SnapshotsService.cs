using Grpc.Core;
using SnapshotService.Grains;
using SnapshotService.Host.Restore;
using SnapshotService.Snapshots;
using SnapshotService.Views;
using V1 = SnapshotService.Api.V1;

namespace SnapshotService.Host.Grpc;

/// <summary>
/// snapshotservice.v1.Snapshots. Creating goes through the source grain (it flushes capture and
/// knows the log head); reading goes straight to the anchor files, which are immutable, so reads
/// neither activate nor queue behind the capture grain.
/// </summary>
internal sealed partial class SnapshotsService(SourceCatalog catalog, IGrainFactory grains, SnapshotAnchorStore anchors, RestoreTargets restoreTargets, ViewWorkLimiter limiter) : V1.Snapshots.SnapshotsBase
{
    public override async Task<V1.Snapshot> CreateSnapshot(V1.CreateSnapshotRequest request, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        var command = request.ToCommand();
        var anchor = await grains.GetGrain<ISourceGrain>(sourceId).CreateSnapshotAsync(command);
        return anchor.ToApi();
    }

    public override async Task<V1.Snapshot> GetSnapshot(V1.GetSnapshotRequest request, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        var anchor = await anchors.GetAsync(sourceId, request.SnapshotId, context.CancellationToken);
        var deletedAt = await new SnapshotTombstones(anchors.Store).ReadAsync(sourceId, anchor.Id, context.CancellationToken);
        var views = await new SnapshotViews(anchors.Store).ListPublishedAsync(sourceId, anchor.Id, context.CancellationToken);
        return anchor.ToApi(deletedAt, views.Select(v => v.ToApi(anchors.Store.Description, withParts: true)));
    }

    public override async Task<V1.ListSnapshotsResponse> ListSnapshots(V1.ListSnapshotsRequest request, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        var (page, nextPageToken) = await anchors.ListAsync(sourceId, request.PageSize, request.PageToken, context.CancellationToken);
        var response = new V1.ListSnapshotsResponse { NextPageToken = nextPageToken ?? string.Empty };
        // Two small reads per listed snapshot (one per view format) plus one listing for tombstones.
        var deleted = await new SnapshotTombstones(anchors.Store).ListDeletedAsync(sourceId, context.CancellationToken);
        var tombstones = new SnapshotTombstones(anchors.Store);
        var views = new SnapshotViews(anchors.Store);
        foreach (var anchor in page)
        {
            var deletedAt = deleted.Contains(anchor.Id) ? await tombstones.ReadAsync(sourceId, anchor.Id, context.CancellationToken) : null;
            var published = await views.ListPublishedAsync(sourceId, anchor.Id, context.CancellationToken);
            response.Snapshots.Add(anchor.ToApi(deletedAt, published.Select(v => v.ToApi(anchors.Store.Description, withParts: false))));
        }
        return response;
    }
}
