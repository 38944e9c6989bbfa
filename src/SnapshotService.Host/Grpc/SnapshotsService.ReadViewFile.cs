using Google.Protobuf;
using Grpc.Core;
using SnapshotService.Errors;
using SnapshotService.Storage;
using SnapshotService.Views;
using V1 = SnapshotService.Api.V1;

namespace SnapshotService.Host.Grpc;

/// <summary>
/// ReadViewFile: lets a remote client copy a published view (snapshotctl materialize --out).
/// Only files the published manifest names are served, so unpublished parts never leave.
/// </summary>
internal sealed partial class SnapshotsService
{
    private const int ChunkBytes = 1 << 20;

    public override async Task ReadViewFile(V1.ReadViewFileRequest request, IServerStreamWriter<V1.ViewFileChunk> responseStream, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        var format = ParseFormat(request.Format);
        var anchor = await anchors.GetAsync(sourceId, request.SnapshotId, context.CancellationToken);
        var manifest = await ViewMaterializer.ReadManifestAsync(anchors.Store, sourceId, anchor.Id, format, context.CancellationToken)
            ?? throw SnapshotServiceException.FailedPrecondition(
                $"snapshot '{anchor.Id}' has no published {ViewFormats.Name(format)} view; run MaterializeSnapshot with format {ViewFormats.Name(format)} first.", "format");
        if (request.Name != StoreKeys.ViewManifestName && manifest.Parts.All(p => p.Name != request.Name))
        {
            throw SnapshotServiceException.InvalidArgument("name", $"name '{request.Name}' is not a file of this view; use manifest.json or a part name from the view's parts.");
        }
        var key = SnapshotViews.FolderOf(sourceId, anchor.Id, format) + request.Name;
        var bytes = await anchors.Store.ReadAsync(key, context.CancellationToken)
            ?? throw SnapshotServiceException.NotFound($"file '{request.Name}' of the view is gone (was the snapshot deleted meanwhile?).", "name");
        // At least one chunk, so an empty file still answers with its (empty) content.
        var offset = 0;
        do
        {
            var length = Math.Min(ChunkBytes, bytes.Length - offset);
            await responseStream.WriteAsync(new V1.ViewFileChunk { Offset = (ulong)offset, Data = ByteString.CopyFrom(bytes, offset, length) }, context.CancellationToken);
            offset += length;
        }
        while (offset < bytes.Length);
    }
}
