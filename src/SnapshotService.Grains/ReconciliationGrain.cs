using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SnapshotService.Errors;
using SnapshotService.Reconciliation;
using SnapshotService.Reconciliation.Reports;
using SnapshotService.Sources;
using SnapshotService.State;
using SnapshotService.Storage;

namespace SnapshotService.Grains;

/// <summary>
/// Runs one source's reconciliations, one at a time. The run itself (a full read of the source)
/// happens on the thread pool; <see cref="RunAsync"/> interleaves, so while a run is in flight a
/// second request is refused naming the running report rather than waiting for minutes. Repairs
/// go to the source's <see cref="ISourceGrain"/>, the only writer of its log.
/// </summary>
public sealed partial class ReconciliationGrain(
    IObjectStore store,
    IChangeSourceFactory sources,
    IOptions<LiveStateMaintenanceOptions> liveStateOptions,
    IOptions<ReconciliationOptions> reconciliationOptions,
    ILogger<ReconciliationGrain> logger) : Grain, IReconciliationGrain
{
    private ReconcileProgress? _running;

    /// <inheritdoc />
    public async Task<ReconcileOutcome> RunAsync(ReconcileCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var sourceId = this.GetPrimaryKeyString();
        if (sources.KindOf(sourceId) is null)
        {
            throw SnapshotServiceException.NotFound($"source '{sourceId}' is not configured.", "source_id");
        }
        if (_running is { } running)
        {
            throw SnapshotServiceException.FailedPrecondition(
                $"a reconciliation of source '{sourceId}' is running (report_id {running.ReportId}); wait for it to finish, then read its report.", "source_id");
        }
        var mode = command.Mode == ReconcileMode.Incremental ? ReconciliationMode.Incremental : ReconciliationMode.Full;
        var writer = new DriftReportWriter(store, sourceId, mode, command.DryRun);
        // Set before the first await: interleaved calls see the run from here on.
        var started = new ReconcileProgress(sourceId, writer.ReportId, command.Mode, command.DryRun, writer.StartedAt, 0, 0, 0, 0);
        _running = started;
        try
        {
            LogStarted(sourceId, writer.ReportId, mode, command.DryRun);
            var sourceGrain = GrainFactory.GetGrain<ISourceGrain>(sourceId);
            var progress = new Progress(p => Volatile.Write(ref _running, started with
            {
                RangesDone = p.RangesDone,
                RangesTotal = p.RangesTotal,
                SourceDocumentsRead = p.SourceDocumentsRead,
                DriftFound = p.DriftFound,
            }));
            var run = new ReconciliationRun(
                store, sourceId, sources, liveStateOptions.Value, reconciliationOptions.Value, writer,
                command.DryRun ? null : (repair, _) => sourceGrain.RepairAsync(repair),
                progress);
            var report = await Task.Run(() => run.RunAsync(CancellationToken.None), CancellationToken.None);
            LogFinished(sourceId, report.Id, report.Status, report.Counts.Total, report.Repair?.RepairedCount ?? 0, report.RangesChecked, report.RangesTotal);
            return new ReconcileOutcome(sourceId, report.Id);
        }
        finally
        {
            _running = null;
        }
    }

    /// <inheritdoc />
    public Task<ReconcileProgress?> GetProgressAsync() => Task.FromResult(Volatile.Read(ref _running));

    /// <summary>Reports synchronously on the reporting thread (System.Progress would post to the grain's scheduler from the thread pool).</summary>
    private sealed class Progress(Action<ReconciliationProgress> report) : IProgress<ReconciliationProgress>
    {
        public void Report(ReconciliationProgress value) => report(value);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {SourceId}: reconciliation {ReportId} ({Mode}, dry run {DryRun}) started")]
    private partial void LogStarted(string sourceId, string reportId, ReconciliationMode mode, bool dryRun);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {SourceId}: reconciliation {ReportId} {Status}: {Drift} drifted keys, {Repaired} repaired, in {Checked}/{Total} ranges")]
    private partial void LogFinished(string sourceId, string reportId, DriftReportStatus status, long drift, long repaired, int @checked, int total);
}
