using System.Net;
using SnapshotService.Api.V1;

namespace SnapshotService.Host.Tests;

[Collection(DriftHostCollection.Name)]
public sealed class ReconciliationApiTests(DriftHostFixture host)
{
    private const string Drifty = DriftHostFixture.DriftySourceId;

    [Fact]
    public async Task a_full_dry_run_reports_the_events_the_source_dropped_as_missing_in_export()
    {
        var report = await host.DriftyReportAsync();

        Assert.StartsWith("drift-", report.ReportId, StringComparison.Ordinal);
        Assert.Equal(Drifty, report.SourceId);
        Assert.Equal("succeeded", report.Status);
        Assert.Equal("full", report.Mode);
        Assert.True(report.DryRun);
        Assert.True(report.RangesTotal > 0);
        Assert.Equal(report.RangesTotal, report.RangesChecked);
        Assert.True(report.SourceDocumentsScanned > 0);
        Assert.True(report.ExportDocumentsScanned > 0);
        Assert.Equal(["missing_in_export", "extra_in_export", "content_mismatch", "version_regression"], report.Categories.Select(c => c.Category));
        var missing = report.Categories.Single(c => c.Category == "missing_in_export");
        Assert.True(missing.Count > 0, $"dropped events show up as missing_in_export: {report}");
        Assert.Equal((int)Math.Min(missing.Count, 100), missing.FirstKeys.Count);
        Assert.Equal(report.Categories.Aggregate(0UL, (sum, c) => sum + c.Count), report.DriftTotal);
        Assert.Equal(0UL, report.RepairedCount);
        // Capture had read the whole history: every key found different was judged, and the dropped
        // events stayed different (confirmed drift), none resolved in flight or unsettled.
        Assert.True(report.Settled);
        Assert.Equal((0UL, 0UL), (report.ResolvedInFlight, report.Unsettled));
        Assert.Empty(report.UnsettledKeys);
    }

    [Fact]
    public async Task drift_keys_page_through_the_whole_category()
    {
        var report = await host.DriftyReportAsync();
        var missing = report.Categories.Single(c => c.Category == "missing_in_export");

        var keys = new List<DriftKey>();
        var token = string.Empty;
        do
        {
            var page = await host.Reconciliation.ListDriftKeysAsync(new ListDriftKeysRequest
            {
                SourceId = Drifty, ReportId = report.ReportId, Category = "missing_in_export", PageSize = 7, PageToken = token,
            });
            Assert.Equal(missing.Count, page.Total);
            Assert.InRange(page.Keys.Count, 0, 7);
            keys.AddRange(page.Keys);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        Assert.Equal((int)missing.Count, keys.Count);
        Assert.Equal(missing.FirstKeys, keys.Take(missing.FirstKeys.Count).Select(k => k.Key));
        Assert.All(keys, k => Assert.True(k.InSource && !k.InExport && k.Category == "missing_in_export", k.ToString()));
        Assert.Equal(keys.Count, keys.Select(k => k.Key).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task get_and_list_return_the_report_over_grpc_and_http()
    {
        var report = await host.DriftyReportAsync();

        var read = await host.Reconciliation.GetDriftReportAsync(new GetDriftReportRequest { SourceId = Drifty, ReportId = report.ReportId });
        var listed = await host.Reconciliation.ListDriftReportsAsync(new ListDriftReportsRequest { SourceId = Drifty, OnlyDrift = true });
        var http = await host.Http.GetJsonAsync($"/v1/sources/{Drifty}/driftReports/{report.ReportId}");
        var httpList = await host.Http.GetJsonAsync($"/v1/sources/{Drifty}/driftReports?only_drift=true&page_size=10");

        Assert.Equal(report, read);
        Assert.Contains(listed.Reports, r => r.ReportId == report.ReportId);
        http.AssertOk();
        Assert.Equal(report.ReportId, http.Body.GetProperty("reportId").GetString());
        Assert.Equal(report.DriftTotal.ToString(System.Globalization.CultureInfo.InvariantCulture), http.Body.GetProperty("driftTotal").GetString());
        httpList.AssertOk();
        Assert.Contains(httpList.Body.GetProperty("reports").EnumerateArray(), r => r.GetProperty("reportId").GetString() == report.ReportId);
    }

    [Fact]
    public async Task episodes_list_the_keys_that_drifted()
    {
        var report = await host.DriftyReportAsync();
        var drifted = report.Categories.SelectMany(c => c.FirstKeys).ToHashSet(StringComparer.Ordinal);

        var episodes = new List<DriftEpisode>();
        var token = string.Empty;
        do
        {
            var page = await host.Reconciliation.ListDriftEpisodesAsync(new ListDriftEpisodesRequest { SourceId = Drifty, PageSize = 50, PageToken = token });
            episodes.AddRange(page.Episodes);
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        var http = await host.Http.GetJsonAsync($"/v1/sources/{Drifty}/driftEpisodes?min_times_seen=1");

        Assert.Superset(drifted, episodes.Select(e => e.Key).ToHashSet(StringComparer.Ordinal));
        Assert.All(episodes, e => Assert.True(e.TimesSeen >= 1 && e.LastReportId.StartsWith("drift-", StringComparison.Ordinal), e.ToString()));
        http.AssertOk();
        Assert.True(http.Body.GetProperty("episodes").GetArrayLength() > 0);
    }

    [Fact]
    public async Task a_source_without_faults_reports_zero_drift_over_http()
    {
        await host.WaitForCaptureToFinishAsync(DriftHostFixture.SteadySourceId);

        var response = await host.Http.PostJsonAsync($"/v1/sources/{DriftHostFixture.SteadySourceId}/reconciliations", "{\"mode\":\"full\",\"dryRun\":true}");

        response.AssertOk();
        Assert.Equal("succeeded", response.Body.GetProperty("status").GetString());
        Assert.Equal("0", response.Body.GetProperty("driftTotal").GetString());
        Assert.True(response.Body.GetProperty("settled").GetBoolean());
        Assert.Equal("0", response.Body.GetProperty("unsettled").GetString());
        Assert.Equal(0, response.Body.GetProperty("unsettledKeys").GetArrayLength());
        Assert.Equal(response.Body.GetProperty("rangesTotal").GetUInt32(), response.Body.GetProperty("rangesChecked").GetUInt32());
        Assert.NotEqual("0", response.Body.GetProperty("sourceDocumentsScanned").GetString());
        Assert.Equal(HttpStatusCode.OK, response.Status);
    }

    [Fact]
    public async Task an_incremental_dry_run_reports_its_mode_and_checks_some_ranges()
    {
        await host.WaitForCaptureToFinishAsync(DriftHostFixture.SteadySourceId);

        var report = await host.Reconciliation.RunReconciliationAsync(new RunReconciliationRequest { SourceId = DriftHostFixture.SteadySourceId, Mode = "incremental", DryRun = true });

        Assert.Equal("incremental", report.Mode);
        Assert.Equal("succeeded", report.Status);
        Assert.InRange(report.RangesChecked, 1u, report.RangesTotal);
        Assert.Equal(0UL, report.DriftTotal);
    }
}
