using System.Diagnostics.Metrics;
using SnapshotService.Reconciliation;
using SnapshotService.Reconciliation.Reports;

namespace SnapshotService.Telemetry;

/// <summary>Reconciliation and snapshot metrics.</summary>
public static class ReconciliationMetrics
{
    /// <summary>The tag naming a drift category (missing_in_export, extra_in_export, content_mismatch, version_regression).</summary>
    public const string CategoryTag = "snapshotservice.drift.category";

    /// <summary>The tag naming a run's mode (full, incremental).</summary>
    public const string ModeTag = "snapshotservice.reconciliation.mode";

    /// <summary>The tag naming a run's status (succeeded, failed).</summary>
    public const string StatusTag = "snapshotservice.reconciliation.status";

    /// <summary>Reconciliation runs finished.</summary>
    public static readonly Counter<long> Runs = SnapshotServiceTelemetry.Meter.CreateCounter<long>(
        "snapshotservice.reconciliation.runs", "{run}", "Reconciliation runs finished, by mode and status.");

    /// <summary>Confirmed drift found, by category: keys still different once capture had passed a re-read of them.</summary>
    public static readonly Counter<long> Drift = SnapshotServiceTelemetry.Meter.CreateCounter<long>(
        "snapshotservice.reconciliation.drift", "{key}", "Confirmed drifted keys found by reconciliation, by category.");

    /// <summary>Keys a run found different that capture caught up with: changes in flight, not drift.</summary>
    public static readonly Counter<long> ResolvedInFlight = SnapshotServiceTelemetry.Meter.CreateCounter<long>(
        "snapshotservice.reconciliation.resolved_in_flight", "{key}", "Keys reconciliation found different that capture caught up with (changes in flight, not drift).");

    /// <summary>Keys a run found different but could not judge in time (capture behind, paused or failed): not drift, not aligned.</summary>
    public static readonly Counter<long> Unsettled = SnapshotServiceTelemetry.Meter.CreateCounter<long>(
        "snapshotservice.reconciliation.unsettled", "{key}", "Keys reconciliation found different but could not judge in time (capture behind, paused or failed).");

    /// <summary>Keys repaired through the log.</summary>
    public static readonly Counter<long> Repairs = SnapshotServiceTelemetry.Meter.CreateCounter<long>(
        "snapshotservice.reconciliation.repairs", "{key}", "Keys repaired by reconciliation (repair records appended to the log).");

    /// <summary>Fraction of the export's ranges a run compared.</summary>
    public static readonly Histogram<double> Coverage = SnapshotServiceTelemetry.Meter.CreateHistogram<double>(
        "snapshotservice.reconciliation.coverage", "1", "Fraction of the export's key ranges a run compared (1 = full coverage).");

    /// <summary>Run duration.</summary>
    public static readonly Histogram<double> Duration = SnapshotServiceTelemetry.Meter.CreateHistogram<double>(
        "snapshotservice.reconciliation.duration", "s", "Duration of a reconciliation run, start to report.");

    /// <summary>Records a finished run from its report.</summary>
    public static void Record(DriftReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var source = SnapshotServiceTelemetry.Source(report.SourceId);
        var mode = new KeyValuePair<string, object?>(ModeTag, report.Mode == ReconciliationMode.Full ? "full" : "incremental");
        Runs.Add(1, source, mode, new KeyValuePair<string, object?>(StatusTag, report.Status == DriftReportStatus.Succeeded ? "succeeded" : "failed"));
        Duration.Record((report.EndedAt - report.StartedAt).TotalSeconds, source, mode);
        if (report.RangesTotal > 0)
        {
            Coverage.Record((double)report.RangesChecked / report.RangesTotal, source, mode);
        }
        foreach (var category in DriftCategoryNames.All)
        {
            var count = report.Counts.Of(category);
            if (count > 0)
            {
                Drift.Add(count, source, new KeyValuePair<string, object?>(CategoryTag, DriftCategoryNames.NameOf(category)));
            }
        }
        if (report.Settle is { } settle)
        {
            // Added even when 0: the series then exists from a source's first run, so an increase
            // (the unsettled alert) is seen from its first occurrence, not only from its second.
            ResolvedInFlight.Add(settle.ResolvedInFlight, source);
            Unsettled.Add(settle.Unsettled, source);
        }
        if (report.Repair is { RepairedCount: > 0 } repair)
        {
            Repairs.Add(repair.RepairedCount, source);
        }
    }
}
