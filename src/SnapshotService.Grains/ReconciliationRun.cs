using SnapshotService.Log;
using SnapshotService.Reconciliation;
using SnapshotService.Reconciliation.Reports;
using SnapshotService.Sources;
using SnapshotService.State;
using SnapshotService.Storage;

namespace SnapshotService.Grains;

/// <summary>
/// One dry-run reconciliation of a source, start to report: bring the live-state checkpoint to the
/// head (so the export's range digests are current and cost nothing to read), compare at the head,
/// persist the report, merge drift episodes. Runs on the thread pool, outside the grain.
/// </summary>
internal sealed class ReconciliationRun(
    IObjectStore store,
    string sourceId,
    IChangeSourceFactory sources,
    LiveStateMaintenanceOptions liveStateOptions,
    DriftReportWriter writer)
{
    /// <summary>Runs per full rotation of incremental runs: every range is verified at least every K runs.</summary>
    public const int RotationRuns = 8;

    public async Task<DriftReport> RunAsync(CancellationToken cancellationToken)
    {
        long headSeq = 0;
        ReconciliationResult result;
        try
        {
            await LiveStateMaintenance.RunAsync(store, sourceId, liveStateOptions, force: true, cancellationToken).ConfigureAwait(false);
            headSeq = (await new ExportLogReader(store, sourceId).ReadHeadAsync(cancellationToken).ConfigureAwait(false)).LastSeq;
            await using var source = sources.Create(sourceId);
            var view = new LiveView(store, sourceId);
            var cursor = await ReconciliationCursor.ReadAsync(store, sourceId, cancellationToken).ConfigureAwait(false);
            var plan = writer.Mode == ReconciliationMode.Incremental
                ? await PlanAsync(view, headSeq, cursor, cancellationToken).ConfigureAwait(false)
                : null;
            var request = new ReconciliationRequest { Seq = headSeq, Mode = writer.Mode, RangeIndexes = plan?.RangeIndexes ?? [] };
            result = await new Reconciler(store, sourceId, source, view: view)
                .RunAsync(request, writer.OnDriftAsync, progress: null, cancellationToken).ConfigureAwait(false);
            if (result.Status == ReconciliationStatus.Succeeded)
            {
                var next = new ReconciliationCursor(
                    plan is null ? cursor.RotationCursor : plan.NextCursor,
                    result.IsAligned ? headSeq : cursor.AlignedSeq);
                await next.WriteAsync(store, sourceId, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A run that could not even start comparing is a failed report, never "no drift".
            return await writer.FailAsync($"The reconciliation of '{sourceId}' could not run: {ex.Message}", headSeq, CancellationToken.None).ConfigureAwait(false);
        }
        var report = await writer.CompleteAsync(result, repair: null, cancellationToken).ConfigureAwait(false);
        if (report.HasDrift)
        {
            await new DriftEpisodes(store).MergeAsync(report, cancellationToken).ConfigureAwait(false);
        }
        return report;
    }

    /// <summary>
    /// Dirty ranges since the last aligned run (every range dirtied since was checked by it or a later one), plus the rotating slice. Without an aligned
    /// seq every range is dirty: the first incremental run is as thorough as a full one.
    /// </summary>
    private static async Task<IncrementalPlan> PlanAsync(LiveView view, long seq, ReconciliationCursor cursor, CancellationToken cancellationToken)
    {
        var now = await view.DigestsAtAsync(seq, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<int> dirty = cursor.AlignedSeq is { } aligned && aligned <= seq
            ? IncrementalPlanner.DirtySince(await view.DigestsAtAsync(aligned, cancellationToken).ConfigureAwait(false), now)
            : [.. now.Select(r => r.Index)];
        return IncrementalPlanner.Plan([.. now.Select(r => r.Range)], dirty, RotationRuns, cursor.RotationCursor);
    }
}
