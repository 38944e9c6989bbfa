using SnapshotService.Host.Grpc;
using SnapshotService.Reconciliation;
using SnapshotService.Reconciliation.Reports;

namespace SnapshotService.Host.Tests;

/// <summary>
/// A drift report's API form keeps confirmed drift, changes resolved in flight and unsettled keys
/// apart: a client that reads only drift_total sees confirmed drift, and the other two are there
/// beside it, named.
/// </summary>
public sealed class ReconciliationMappingTests
{
    [Fact]
    public void a_settled_report_maps_resolved_in_flight_and_unsettled_keys_with_their_reasons_beside_confirmed_drift()
    {
        var report = Report() with
        {
            Settle = new DriftSettleSummary(7, 2,
            [
                new UnsettledKey("k0003", 0, "capture had not committed past the source's re-read within 30 s"),
                new UnsettledKey("k0911", 3, "the key changed again after each of 3 re-reads"),
            ]),
        };

        var api = report.ToApi();

        Assert.Equal(5UL, api.DriftTotal);
        Assert.True(api.Settled);
        Assert.Equal(7UL, api.ResolvedInFlight);
        Assert.Equal(2UL, api.Unsettled);
        Assert.Equal(
            [("k0003", 0u, "capture had not committed past the source's re-read within 30 s"), ("k0911", 3u, "the key changed again after each of 3 re-reads")],
            api.UnsettledKeys.Select(u => (u.Key, u.RangeIndex, u.Reason)));
    }

    [Fact]
    public void a_report_written_before_settling_says_it_was_not_settled()
    {
        var api = Report().ToApi();

        Assert.Equal(5UL, api.DriftTotal);
        Assert.False(api.Settled);
        Assert.Equal(0UL, api.ResolvedInFlight);
        Assert.Equal(0UL, api.Unsettled);
        Assert.Empty(api.UnsettledKeys);
    }

    private static DriftReport Report()
    {
        var at = new DateTimeOffset(2026, 12, 8, 1, 0, 0, TimeSpan.Zero);
        return new DriftReport(
            "drift-01m8a00000000000000000000a", "demo", ReconciliationMode.Full, DryRun: true, at, at.AddSeconds(3), AnchorSeq: 1200,
            RangesChecked: 4, RangesTotal: 4, SourceDocumentsScanned: 1000, SourceDocumentsRead: 1000, ExportDocumentsScanned: 998,
            new DriftCounts(MissingInExport: 5, ExtraInExport: 0, ContentMismatch: 0, VersionRegression: 0),
            [], Repair: null, DriftReportStatus.Succeeded, FailureReason: null);
    }
}
