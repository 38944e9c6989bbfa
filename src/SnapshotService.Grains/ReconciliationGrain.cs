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
/// second request is refused naming the running report rather than waiting for minutes.
/// </summary>
public sealed partial class ReconciliationGrain(
    IObjectStore store,
    IChangeSourceFactory sources,
    IOptions<LiveStateMaintenanceOptions> liveStateOptions,
    ILogger<ReconciliationGrain> logger) : Grain, IReconciliationGrain
{
    private string? _runningReportId;

    /// <inheritdoc />
    public async Task<ReconcileOutcome> RunAsync(ReconcileCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var sourceId = this.GetPrimaryKeyString();
        if (sources.KindOf(sourceId) is null)
        {
            throw SnapshotServiceException.NotFound($"source '{sourceId}' is not configured.", "source_id");
        }
        if (!command.DryRun)
        {
            throw SnapshotServiceException.FailedPrecondition("repair is not available yet; run with dry_run=true to get a drift report", "dry_run");
        }
        if (_runningReportId is { } running)
        {
            throw SnapshotServiceException.FailedPrecondition(
                $"a reconciliation of source '{sourceId}' is running (report_id {running}); wait for it to finish, then read its report.", "source_id");
        }
        var mode = command.Mode == ReconcileMode.Incremental ? ReconciliationMode.Incremental : ReconciliationMode.Full;
        var writer = new DriftReportWriter(store, sourceId, mode, dryRun: true);
        // Set before the first await: interleaved calls see the run from here on.
        _runningReportId = writer.ReportId;
        try
        {
            LogStarted(sourceId, writer.ReportId, mode);
            var run = new ReconciliationRun(store, sourceId, sources, liveStateOptions.Value, writer);
            var report = await Task.Run(() => run.RunAsync(CancellationToken.None), CancellationToken.None);
            LogFinished(sourceId, report.Id, report.Status, report.Counts.Total, report.RangesChecked, report.RangesTotal);
            return new ReconcileOutcome(sourceId, report.Id);
        }
        finally
        {
            _runningReportId = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {SourceId}: reconciliation {ReportId} ({Mode}, dry run) started")]
    private partial void LogStarted(string sourceId, string reportId, ReconciliationMode mode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {SourceId}: reconciliation {ReportId} {Status}: {Drift} drifted keys in {Checked}/{Total} ranges")]
    private partial void LogFinished(string sourceId, string reportId, DriftReportStatus status, long drift, int @checked, int total);
}
