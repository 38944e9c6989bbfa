using System.Threading.Channels;
using Grpc.Core;
using SnapshotService.Hashing;
using SnapshotService.Restore;
using SnapshotService.Views;
using V1 = SnapshotService.Api.V1;

namespace SnapshotService.Host.Grpc;

/// <summary>
/// RestoreSnapshot runs in the call, like MaterializeSnapshot, for the same reason: the restorer
/// is idempotent, so a cancelled call leaves a partly restored target that a re-run completes.
/// </summary>
internal sealed partial class SnapshotsService
{
    public override async Task RestoreSnapshot(V1.RestoreSnapshotRequest request, IServerStreamWriter<V1.RestoreProgress> responseStream, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        var anchor = await anchors.GetAsync(sourceId, request.SnapshotId, context.CancellationToken);
        var target = restoreTargets.Resolve(request.Target);
        using var slot = limiter.Enter("restore");
        var restorer = new SnapshotRestorer(new SnapshotViews(anchors.Store), ContentHashOptions.Default);

        var updates = Channel.CreateBounded<RestoreProgress>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        var work = Task.Run(
            async () =>
            {
                try
                {
                    return await restorer.RestoreAsync(anchor, target, new RestoreChannelProgress(updates.Writer), context.CancellationToken);
                }
                finally
                {
                    updates.Writer.TryComplete();
                }
            },
            CancellationToken.None);
        await foreach (var update in updates.Reader.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(update.ToApi(), context.CancellationToken);
        }
        var result = await work;
        var final = result.Progress.ToApi();
        final.Verification = result.ToApi();
        await responseStream.WriteAsync(final, context.CancellationToken);
    }

    private sealed class RestoreChannelProgress(ChannelWriter<RestoreProgress> writer) : IProgress<RestoreProgress>
    {
        public void Report(RestoreProgress value) => writer.TryWrite(value);
    }
}
