using Grpc.Core;
using SnapshotService.Grains;
using V1 = SnapshotService.Api.V1;

namespace SnapshotService.Host.Grpc;

/// <summary>The streaming variant of RunReconciliation: progress while the run lasts, then the report.</summary>
internal sealed partial class ReconciliationService
{
    /// <summary>How often progress is polled from the grain and sent: often enough for a live bar, rarely enough to cost nothing.</summary>
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    public override async Task RunReconciliationStream(V1.RunReconciliationRequest request, IServerStreamWriter<V1.ReconciliationUpdate> responseStream, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        var command = new ReconcileCommand(ReconciliationMapping.ParseMode(request.Mode), request.DryRun);
        var grain = grains.GetGrain<IReconciliationGrain>(sourceId);
        var run = grain.RunAsync(command);
        string? reportId = null;
        while (!run.IsCompleted)
        {
            await Task.WhenAny(run, Task.Delay(ProgressInterval, context.CancellationToken));
            context.CancellationToken.ThrowIfCancellationRequested();
            if (run.IsCompleted)
            {
                break;
            }
            // The grain runs one reconciliation at a time; the first progress seen is ours (a
            // refused request completes `run` with the error before any progress is sent).
            if (await grain.GetProgressAsync() is { } progress && (reportId is null || reportId == progress.ReportId))
            {
                reportId = progress.ReportId;
                await responseStream.WriteAsync(new V1.ReconciliationUpdate { Progress = progress.ToApi() }, context.CancellationToken);
            }
        }
        var outcome = await run;
        var report = await reports.GetAsync(sourceId, outcome.ReportId, context.CancellationToken);
        await responseStream.WriteAsync(new V1.ReconciliationUpdate { Report = report.ToApi() }, context.CancellationToken);
    }
}
