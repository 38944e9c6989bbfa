using System.Threading.Channels;
using Grpc.Core;
using SnapshotService.Errors;
using SnapshotService.Views;
using V1 = SnapshotService.Api.V1;

namespace SnapshotService.Host.Grpc;

/// <summary>
/// MaterializeSnapshot runs in this call, not in a grain: it may take minutes, and a grain turn
/// that long would block the source grain (or need interleaving) for no gain. Tying the work to
/// the call is safe because <see cref="ViewMaterializer"/> is crash-safe and resumable: when the
/// client goes away the work is cancelled, nothing is published, and a re-run keeps the parts
/// already written. Concurrent calls for one view (from any silo) publish one manifest.
/// </summary>
internal sealed partial class SnapshotsService
{
    public override async Task MaterializeSnapshot(V1.MaterializeSnapshotRequest request, IServerStreamWriter<V1.MaterializeProgress> responseStream, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        var format = ParseFormat(request.Format);
        var anchor = await anchors.GetAsync(sourceId, request.SnapshotId, context.CancellationToken);
        var views = new SnapshotViews(anchors.Store);
        // A published view costs one read: answer it without taking a slot.
        using var slot = await ViewMaterializer.ReadManifestAsync(anchors.Store, sourceId, anchor.Id, format, context.CancellationToken) is null
            ? limiter.Enter("materialization")
            : null;

        // Progress arrives on the materializer's threads; the newest one is what a client wants,
        // so a one-slot channel that drops older reports decouples it from a slow client.
        var updates = Channel.CreateBounded<MaterializeProgress>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        var work = Task.Run(
            async () =>
            {
                try
                {
                    return await views.MaterializeAsync(anchor, format, new ViewOptions(), new ChannelProgress(updates.Writer), context.CancellationToken);
                }
                finally
                {
                    updates.Writer.TryComplete();
                }
            },
            CancellationToken.None);
        MaterializeProgress? last = null;
        await foreach (var update in updates.Reader.ReadAllAsync(context.CancellationToken))
        {
            last = update;
            await responseStream.WriteAsync(update.ToApi(), context.CancellationToken);
        }
        var manifest = await work;
        var final = (last ?? new MaterializeProgress(manifest.Rows, manifest.Rows, manifest.DocumentBytes, manifest.Parts.Count, TimeSpan.Zero)).ToApi();
        final.DocumentsDone = final.DocumentsTotal = (ulong)Math.Max(0, manifest.Rows);
        final.DocumentBytes = (ulong)Math.Max(0, manifest.DocumentBytes);
        final.Parts = (uint)manifest.Parts.Count;
        final.Remaining = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.Zero);
        final.View = manifest.ToApi(anchors.Store.Description, withParts: true);
        await responseStream.WriteAsync(final, context.CancellationToken);
    }

    private static ViewFormat ParseFormat(string? format) =>
        ViewFormats.TryParse(format) ?? throw SnapshotServiceException.InvalidArgument(
            "format",
            string.IsNullOrEmpty(format) ? "format is required: jsonl or parquet." : $"format '{format}' is not supported; use jsonl or parquet.");

    private sealed class ChannelProgress(ChannelWriter<MaterializeProgress> writer) : IProgress<MaterializeProgress>
    {
        public void Report(MaterializeProgress value) => writer.TryWrite(value);
    }
}
