using System.Globalization;
using System.Text.Json;
using SnapshotService.Api.V1;

namespace SnapshotService.Host.Tests;

/// <summary>
/// A source that keeps changing while its capture stalls: the keys a run finds different cannot be
/// judged (capture never passes the re-read), so the report counts them as unsettled with the
/// reason — not as drift — and gRPC, HTTP JSON and snapshotctl all show them beside the drift.
/// </summary>
[Collection(DriftHostCollection.Name)]
public sealed class UnsettledReportTests(DriftHostFixture host)
{
    private const string Stalled = DriftHostFixture.StalledSourceId;

    [Fact]
    public async Task keys_found_different_while_capture_stalls_are_unsettled_with_the_reason_not_drift()
    {
        var report = await StalledReportAsync();

        Assert.Equal("succeeded", report.Status);
        Assert.True(report.Settled);
        Assert.Equal(0UL, report.DriftTotal);
        Assert.All(report.Categories, c => Assert.Equal(0UL, c.Count));
        Assert.Equal(0UL, report.ResolvedInFlight);
        Assert.True(report.Unsettled > 0, $"the source changed past the stalled capture, so keys differ: {report}");
        Assert.Equal((int)Math.Min(report.Unsettled, 100), report.UnsettledKeys.Count);
        Assert.All(report.UnsettledKeys, u => Assert.Contains("capture is behind, paused or failed", u.Reason, StringComparison.Ordinal));
        Assert.Equal(report.UnsettledKeys.Count, report.UnsettledKeys.Select(u => u.Key).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task the_http_json_report_names_resolved_in_flight_unsettled_and_the_unsettled_keys()
    {
        var report = await StalledReportAsync();

        var http = await host.Http.GetJsonAsync($"/v1/sources/{Stalled}/driftReports/{report.ReportId}");

        http.AssertOk();
        Assert.True(http.Body.GetProperty("settled").GetBoolean());
        Assert.Equal("0", http.Body.GetProperty("driftTotal").GetString());
        Assert.Equal("0", http.Body.GetProperty("resolvedInFlight").GetString());
        Assert.Equal(report.Unsettled.ToString(CultureInfo.InvariantCulture), http.Body.GetProperty("unsettled").GetString());
        var first = http.Body.GetProperty("unsettledKeys")[0];
        Assert.Equal(report.UnsettledKeys[0].Key, first.GetProperty("key").GetString());
        Assert.Equal(report.UnsettledKeys[0].Reason, first.GetProperty("reason").GetString());
        Assert.Equal(report.UnsettledKeys[0].RangeIndex, first.GetProperty("rangeIndex").GetUInt32());
    }

    [Fact]
    public async Task snapshotctl_shows_resolved_in_flight_and_unsettled_keys_with_their_reason_beside_the_drift_total()
    {
        var report = await StalledReportAsync();

        var got = await CliRun.RunAsync(host, "drift", "get", Stalled, report.ReportId);
        var json = await CliRun.RunAsync(host, "drift", "get", Stalled, report.ReportId, "--json");
        var listed = await CliRun.RunAsync(host, "drift", "list", Stalled);

        Assert.Equal(0, got.ExitCode);
        var fieldNames = got.Lines.Select(l => l.Split('\t')[0]).ToList();
        Assert.Equal(["drift_total", "resolved_in_flight", "unsettled"], fieldNames.Skip(fieldNames.IndexOf("drift_total")).Take(3));
        Assert.Equal("0", got.Fields["drift_total"]);
        Assert.Equal("0", got.Fields["resolved_in_flight"]);
        var unsettled = got.Fields["unsettled"];
        Assert.StartsWith($"{report.Unsettled.ToString(CultureInfo.InvariantCulture)}: {report.UnsettledKeys[0].Key}", unsettled, StringComparison.Ordinal);
        Assert.Contains($"({report.UnsettledKeys[0].Reason})", unsettled, StringComparison.Ordinal);

        Assert.Equal(0, json.ExitCode);
        var body = JsonDocument.Parse(json.Out).RootElement;
        Assert.Equal(report.Unsettled.ToString(CultureInfo.InvariantCulture), body.GetProperty("unsettled").GetString());
        Assert.Equal("0", body.GetProperty("resolvedInFlight").GetString());
        Assert.Equal(report.UnsettledKeys.Count, body.GetProperty("unsettledKeys").GetArrayLength());
        Assert.Equal(report.UnsettledKeys[0].Reason, body.GetProperty("unsettledKeys")[0].GetProperty("reason").GetString());

        // drift list: report, mode, status, drift, resolved in flight, unsettled, ranges, started.
        Assert.Equal(0, listed.ExitCode);
        var row = listed.Lines.Single(l => l.StartsWith(report.ReportId + "\t", StringComparison.Ordinal)).Split('\t');
        Assert.Equal(["0", "0", report.Unsettled.ToString(CultureInfo.InvariantCulture)], row[3..6]);
    }

    private Task<DriftReport> StalledReportAsync() => host.StalledReportAsync();
}
