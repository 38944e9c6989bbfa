using Grpc.Core;
using SnapshotService.Snapshots;
using V1 = SnapshotService.Api.V1;

namespace SnapshotService.Host.Grpc;

/// <summary>DeleteSnapshot: tombstone plus freed views; the anchor's metadata stays for audit.</summary>
internal sealed partial class SnapshotsService
{
    public override async Task<V1.Snapshot> DeleteSnapshot(V1.DeleteSnapshotRequest request, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        var deleted = await new SnapshotDeleter(anchors).DeleteAsync(sourceId, request.SnapshotId, context.CancellationToken);
        return deleted.Anchor.ToApi(deleted.DeletedAt, []);
    }
}
