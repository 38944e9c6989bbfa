using Grpc.Core;
using SnapshotService.Grains;
using SnapshotService.Snapshots;
using V1 = SnapshotService.Api.V1;

namespace SnapshotService.Host.Grpc;

/// <summary>
/// snapshotservice.v1.Snapshots. Creating goes through the source grain (it flushes capture and
/// knows the log head); reading goes straight to the anchor files, which are immutable, so reads
/// neither activate nor queue behind the capture grain.
/// </summary>
internal sealed partial class SnapshotsService(SourceCatalog catalog, IGrainFactory grains, SnapshotAnchorStore anchors) : V1.Snapshots.SnapshotsBase
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
        return anchor.ToApi();
    }

    public override async Task<V1.ListSnapshotsResponse> ListSnapshots(V1.ListSnapshotsRequest request, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        var (page, nextPageToken) = await anchors.ListAsync(sourceId, request.PageSize, request.PageToken, context.CancellationToken);
        var response = new V1.ListSnapshotsResponse { NextPageToken = nextPageToken ?? string.Empty };
        response.Snapshots.AddRange(page.Select(a => a.ToApi()));
        return response;
    }
}
