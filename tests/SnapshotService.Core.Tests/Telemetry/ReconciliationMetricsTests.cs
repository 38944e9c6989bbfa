using SnapshotService.Reconciliation;
using SnapshotService.Reconciliation.Reports;
using SnapshotService.Telemetry;

namespace SnapshotService.Core.Tests.Telemetry;

/// <summary>
/// A finished run's report becomes metrics: confirmed drift in the drift counter, changes resolved
/// in flight and unsettled keys in counters of their own, so alerts on drift never fire on either.
/// </summary>
public sealed class ReconciliationMetricsTests
{
    [Fact]
    public void a_settled_report_counts_confirmed_drift_resolved_in_flight_and_unsettled_apart()
    {
        const string id = "telemetry-settled";
        using var metrics = new RecordingMeterListener(id);

        ReconciliationMetrics.Record(Report(id) with
        {
            Settle = new DriftSettleSummary(ResolvedInFlight: 40, Unsettled: 6, [new UnsettledKey("k1", 0, "capture is behind")]),
        });

        Assert.Equal(3, metrics.Sum("snapshotservice.reconciliation.drift"));
        Assert.Equal(40, metrics.Sum("snapshotservice.reconciliation.resolved_in_flight"));
        Assert.Equal(6, metrics.Sum("snapshotservice.reconciliation.unsettled"));
        Assert.Equal("{key}", metrics.Unit("snapshotservice.reconciliation.resolved_in_flight"));
        Assert.Equal("{key}", metrics.Unit("snapshotservice.reconciliation.unsettled"));
    }

    [Fact]
    public void a_settled_report_without_unsettled_keys_still_records_both_series_at_zero()
    {
        const string id = "telemetry-settled-clean";
        using var metrics = new RecordingMeterListener(id);

        ReconciliationMetrics.Record(Report(id) with { Settle = new DriftSettleSummary(0, 0, []) });

        // Present at 0 from the first run, so the first unsettled run shows as an increase.
        Assert.Equal([0d], metrics.Values("snapshotservice.reconciliation.resolved_in_flight"));
        Assert.Equal([0d], metrics.Values("snapshotservice.reconciliation.unsettled"));
    }

    [Fact]
    public void a_report_that_did_not_settle_records_neither_series()
    {
        const string id = "telemetry-unsettled-none";
        using var metrics = new RecordingMeterListener(id);

        ReconciliationMetrics.Record(Report(id));

        Assert.Equal(3, metrics.Sum("snapshotservice.reconciliation.drift"));
        Assert.Empty(metrics.Values("snapshotservice.reconciliation.resolved_in_flight"));
        Assert.Empty(metrics.Values("snapshotservice.reconciliation.unsettled"));
    }

    private static DriftReport Report(string sourceId)
    {
        var at = new DateTimeOffset(2026, 12, 8, 1, 0, 0, TimeSpan.Zero);
        return new DriftReport(
            "drift-01m8a00000000000000000000a", sourceId, ReconciliationMode.Incremental, DryRun: true, at, at.AddSeconds(2), AnchorSeq: 900,
            RangesChecked: 1, RangesTotal: 8, SourceDocumentsScanned: 120, SourceDocumentsRead: 120, ExportDocumentsScanned: 118,
            new DriftCounts(MissingInExport: 2, ExtraInExport: 0, ContentMismatch: 1, VersionRegression: 0),
            [], Repair: null, DriftReportStatus.Succeeded, FailureReason: null);
    }
}
