using SnapshotService.DeadLetters;
using SnapshotService.Log;
using SnapshotService.Reconciliation;
using SnapshotService.Reconciliation.Reports;
using SnapshotService.Repair;
using SnapshotService.Schemas;
using SnapshotService.Sources;
using SnapshotService.State;
using SnapshotService.Storage;
using SnapshotService.Telemetry;

namespace SnapshotService.Grains;

/// <summary>
/// One reconciliation of a source, start to report: bring the live-state checkpoint to the head
/// (so the export's range digests are current and cost nothing to read), compare at the head,
/// repair the drift unless it is a dry run, persist the report, merge drift episodes. Runs on the
/// thread pool, outside the grain.
/// </summary>
internal sealed class ReconciliationRun(
    IObjectStore store,
    string sourceId,
    IChangeSourceFactory sources,
    LiveStateMaintenanceOptions liveStateOptions,
    ReconciliationOptions options,
    DriftReportWriter writer,
    Func<RepairCommand, CancellationToken, Task<RepairOutcome>>? repair,
    IProgress<ReconciliationProgress>? progress)
{
    public async Task<DriftReport> RunAsync(CancellationToken cancellationToken)
    {
        using var span = SnapshotServiceTelemetry.StartActivity("reconciliation.run", sourceId);
        span?.SetTag(ReconciliationMetrics.ModeTag, writer.Mode == ReconciliationMode.Full ? "full" : "incremental");
        span?.SetTag("snapshotservice.reconciliation.repair", repair is not null);
        var report = await RunUninstrumentedAsync(cancellationToken).ConfigureAwait(false);
        ReconciliationMetrics.Record(report);
        span?.SetTag("snapshotservice.report", report.Id);
        span?.SetTag("snapshotservice.drift", report.Counts.Total);
        if (report.Settle is { } settle)
        {
            // Beside the confirmed drift: what the run found different but was not drift.
            span?.SetTag("snapshotservice.resolved_in_flight", settle.ResolvedInFlight);
            span?.SetTag("snapshotservice.unsettled", settle.Unsettled);
        }
        if (report.Status != DriftReportStatus.Succeeded)
        {
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, report.FailureReason);
        }
        return report;
    }

    private async Task<DriftReport> RunUninstrumentedAsync(CancellationToken cancellationToken)
    {
        long headSeq = 0;
        ReconciliationResult result;
        DriftRepairer? repairer = null;
        string? repairFailure = null;
        try
        {
            await LiveStateMaintenance.RunAsync(store, sourceId, liveStateOptions, force: true, cancellationToken).ConfigureAwait(false);
            var log = new ExportLogReader(store, sourceId);
            var head = await log.ReadHeadAsync(cancellationToken).ConfigureAwait(false);
            headSeq = head.LastSeq;
            await using var source = sources.Create(sourceId);
            var view = new LiveView(store, sourceId, log);
            var cursor = await ReconciliationCursor.ReadAsync(store, sourceId, cancellationToken).ConfigureAwait(false);
            var (plan, dirtyKeys) = writer.Mode == ReconciliationMode.Incremental
                ? await PlanAsync(view, log, head, cursor, cancellationToken).ConfigureAwait(false)
                : (null, null);
            var request = new ReconciliationRequest
            {
                Seq = headSeq,
                Mode = writer.Mode,
                RangeIndexes = plan?.RangeIndexes ?? [],
                DirtyKeys = dirtyKeys,
                SourceDocumentsPerSecond = options.RateFor(sourceId),
            };
            repairer = repair is null ? null : new DriftRepairer(source, repair, headSeq);
            // Keys found different are candidates: only those still different once capture has
            // passed a re-read of them are drift (reported, repaired, counted in episodes and metrics).
            var settler = new DriftSettler(source, log, headSeq, request.Hashing, options.Settle);
            result = await new Reconciler(store, sourceId, source, view: view, settler: settler)
                .RunAsync(request, OnDriftAsync, progress, cancellationToken).ConfigureAwait(false);
            if (repairer is not null && repairFailure is null)
            {
                repairFailure = await TryAsync(() => repairer.FlushAsync(cancellationToken)).ConfigureAwait(false);
            }
            if (result.Status == ReconciliationStatus.Succeeded)
            {
                // Aligned: nothing drifted, or every drifted key was repaired (the repair records
                // are after this seq, so the next incremental run checks them again) — and no key
                // was left unsettled, or the next incremental run would start past keys never judged.
                var aligned = result.IsAligned || (repairer is not null && repairFailure is null && repairer.Tally.NotRepairable == 0 && result.Unsettled == 0);
                var next = new ReconciliationCursor(plan is null ? cursor.RotationCursor : plan.NextCursor, aligned ? headSeq : cursor.AlignedSeq);
                await next.WriteAsync(store, sourceId, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A run that could not even start comparing is a failed report, never "no drift".
            return await writer.FailAsync($"The reconciliation of '{sourceId}' could not run: {ex.Message}", headSeq, CancellationToken.None).ConfigureAwait(false);
        }
        var summary = repairer is null ? null : ToSummary(repairer.Tally);
        writer.DataQuality = await DataQualityAsync(headSeq, cancellationToken).ConfigureAwait(false);
        var report = await writer.CompleteAsync(result, summary, repairFailure, cancellationToken).ConfigureAwait(false);
        if (report.HasDrift)
        {
            var episodes = new DriftEpisodes(store);
            await episodes.MergeAsync(report, cancellationToken).ConfigureAwait(false);
            if (repairer is { RepairedKeys.Count: > 0 })
            {
                await episodes.MarkRepairedAsync(sourceId, repairer.RepairedKeys, report.EndedAt, cancellationToken).ConfigureAwait(false);
            }
        }
        return report;

        async ValueTask OnDriftAsync(DriftItem item, CancellationToken token)
        {
            await writer.OnDriftAsync(item, token).ConfigureAwait(false);
            if (repairer is not null && repairFailure is null)
            {
                // A failed repair stops repairing, not comparing: the report still lists every drifted key.
                repairFailure = await TryAsync(() => repairer.OnDriftAsync(item, token).AsTask()).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Schema changes since the previous report's anchor and the dead letters waiting. Best effort:
    /// a report without them is better than no report, so a failure here leaves them out.
    /// </summary>
    private async Task<DriftDataQuality?> DataQualityAsync(long headSeq, CancellationToken cancellationToken)
    {
        try
        {
            var previous = await new DriftReportStore(store).ListAsync(sourceId, new DriftReportQuery(PageSize: 1), cancellationToken).ConfigureAwait(false);
            var sinceSeq = previous.Reports.Count > 0 ? Math.Min(previous.Reports[0].AnchorSeq, headSeq) : 0;
            var schemas = new SchemaStore(store, sourceId);
            var diff = SchemaDiff.Between(
                await schemas.ComputeAtAsync(sinceSeq, cancellationToken).ConfigureAwait(false),
                await schemas.ComputeAtAsync(headSeq, cancellationToken).ConfigureAwait(false));
            var deadLetters = await new DeadLetterStore(store, sourceId).CountAsync(cancellationToken).ConfigureAwait(false);
            return new DriftDataQuality(sinceSeq, [.. diff.Added.Select(f => f.Path)], [.. diff.Removed.Select(f => f.Path)], [.. diff.TypeChanged.Select(f => f.Path)], deadLetters);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            return null;
        }
    }

    private static DriftRepairSummary ToSummary(RepairTally tally) =>
        new(tally.Repaired, tally.FirstSeq, tally.LastSeq, tally.SkippedAligned, tally.NotRepairable);

    private async Task<string?> TryAsync(Func<Task> repairStep)
    {
        try
        {
            await repairStep().ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var cause = ex.InnerException is { } inner ? $" ({inner.Message})" : "";
            return $"The drift of '{sourceId}' was found but repairing it failed: {ex.Message}{cause}. Nothing after the failure was repaired; run the reconciliation again.";
        }
    }

    /// <summary>
    /// What an incremental run checks besides the rotating slice of ranges: the keys the export
    /// changed since the last aligned run (point reads), or — when more than MaxDirtyKeys changed —
    /// the ranges those changes dirtied. Without an aligned seq every range is dirty: the first
    /// incremental run is as thorough as a full one.
    /// </summary>
    private async Task<(IncrementalPlan Plan, IReadOnlyList<DirtyKey>? DirtyKeys)> PlanAsync(LiveView view, ExportLogReader log, LogHead head, ReconciliationCursor cursor, CancellationToken cancellationToken)
    {
        var seq = head.LastSeq;
        var now = await view.DigestsAtAsync(seq, cancellationToken).ConfigureAwait(false);
        var ranges = now.Select(r => r.Range).ToList();
        if (cursor.AlignedSeq is not { } aligned || aligned > seq)
        {
            return (IncrementalPlanner.Plan(ranges, [.. now.Select(r => r.Index)], options.RotationRuns, cursor.RotationCursor), null);
        }
        var dirtyKeys = options.MaxDirtyKeys > 0
            ? await DirtyKeys.CollectAsync(log, aligned, head, options.MaxDirtyKeys, onlyKeys: null, cancellationToken).ConfigureAwait(false)
            : null;
        if (dirtyKeys is not null)
        {
            return (IncrementalPlanner.Plan(ranges, [], options.RotationRuns, cursor.RotationCursor), dirtyKeys);
        }
        var dirty = IncrementalPlanner.DirtySince(await view.DigestsAtAsync(aligned, cancellationToken).ConfigureAwait(false), now);
        return (IncrementalPlanner.Plan(ranges, dirty, options.RotationRuns, cursor.RotationCursor), null);
    }
}
