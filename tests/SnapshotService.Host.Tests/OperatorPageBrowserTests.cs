using System.Globalization;
using System.Text.RegularExpressions;
using SnapshotService.Api.V1;
using SnapshotService.Testing;
using Xunit.Abstractions;

namespace SnapshotService.Host.Tests;

/// <summary>
/// The operator page in a real browser (headless Chromium) against a live host: it renders the
/// sources with their state, a drift chart whose points are the drift reports, snapshots and
/// schedules, and makes no request outside 127.0.0.1. A screenshot is kept as a test artifact.
/// </summary>
public sealed partial class OperatorPageBrowserTests(OperatorPageHostFixture host, ITestOutputHelper output) : IClassFixture<OperatorPageHostFixture>
{
    /// <summary>Virtual time for the page's scripts: the first refresh needs a fraction of it; fetches pause virtual time.</summary>
    private static readonly TimeSpan VirtualTime = TimeSpan.FromSeconds(8);

    private string PageUrl => PageUrlOf(OperatorPageHostFixture.DriftySourceId);

    private string PageUrlOf(string sourceId) => $"http://127.0.0.1:{host.HttpPort}/ui/#source={sourceId}";

    [Fact]
    public async Task operator_page_renders_live_sources_states_and_a_drift_chart_in_headless_chromium()
    {
        var data = await host.PrepareAsync();
        var sources = (await host.Sources.ListSourcesAsync(new ListSourcesRequest())).Sources;

        var (dom, run) = await LoadedDomAsync();

        Assert.Matches(EmptyErrors(), dom);
        foreach (var source in sources)
        {
            Assert.Contains($"<tr data-source-id=\"{source.SourceId}\"", dom, StringComparison.Ordinal);
        }
        var drifty = Row(dom, OperatorPageHostFixture.DriftySourceId);
        var driftyNow = sources.Single(s => s.SourceId == OperatorPageHostFixture.DriftySourceId);
        Assert.Contains("data-state=\"SOURCE_STATE_RUNNING\"", drifty, StringComparison.Ordinal);
        Assert.Contains("Running", drifty, StringComparison.Ordinal);
        Assert.Contains(driftyNow.CommittedSeq.ToString("N0", CultureInfo.InvariantCulture), drifty, StringComparison.Ordinal);
        // State is said in words next to the colour; over-budget figures say so too.
        var degraded = Row(dom, OperatorPageHostFixture.DegradedSourceId);
        Assert.Contains("data-state=\"SOURCE_STATE_DEGRADED\"", degraded, StringComparison.Ordinal);
        Assert.Contains("Degraded", degraded, StringComparison.Ordinal);
        Assert.Contains("(over budget)", degraded, StringComparison.Ordinal);

        // One chart point per run and series; the total series carries each report's drift total.
        Assert.Contains($"data-source-id=\"{OperatorPageHostFixture.DriftySourceId}\"", ChartOpening(dom), StringComparison.Ordinal);
        var totals = Points(dom, "total");
        Assert.Equal(data.Reports.Count, totals.Count);
        foreach (var report in data.Reports)
        {
            Assert.Equal((long)report.DriftTotal, totals[report.ReportId]);
        }
        Assert.Equal(data.Reports.Count, Points(dom, "missing_in_export").Count);
        Assert.Contains("<polyline", dom, StringComparison.Ordinal);
        // Confirmed drift is red and says so; beside it, resolved in flight and unsettled (none here:
        // capture had read the whole history).
        foreach (var report in data.Reports.Where(r => r.DriftTotal > 0))
        {
            var row = ReportRow(dom, report.ReportId);
            Assert.Contains($"class=\"num drift-confirmed\" data-field=\"drift\">{report.DriftTotal.ToString("N0", CultureInfo.InvariantCulture)} (drift)<", row, StringComparison.Ordinal);
            Assert.Contains("data-field=\"resolved-in-flight\">0<", row, StringComparison.Ordinal);
            Assert.Contains("class=\"num\" data-field=\"unsettled\">0<", row, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("class=\"unsettled-run\"", dom, StringComparison.Ordinal);

        Assert.Contains($"data-snapshot-id=\"{data.Snapshot.SnapshotId}\"", dom, StringComparison.Ordinal);
        Assert.Contains("before-upgrade", dom, StringComparison.Ordinal);
        Assert.Contains($"data-schedule-id=\"{OperatorPageHostFixture.ScheduleId}\"", dom, StringComparison.Ordinal);
        Assert.Contains("cron 0 2 * * * (UTC)", dom, StringComparison.Ordinal);

        AssertStayedOnLoopback(run);
    }

    [Fact]
    public async Task operator_page_shows_unsettled_keys_in_amber_beside_zero_confirmed_drift()
    {
        var data = await host.PrepareAsync();
        var report = data.UnsettledReport;

        var (dom, run) = await LoadedDomAsync(PageUrlOf(OperatorPageHostFixture.DegradedSourceId));

        Assert.Matches(EmptyErrors(), dom);
        var row = ReportRow(dom, report.ReportId);
        Assert.Contains("class=\"num\" data-field=\"drift\">0<", row, StringComparison.Ordinal);
        Assert.DoesNotContain("drift-confirmed", row, StringComparison.Ordinal);
        Assert.Contains("data-field=\"resolved-in-flight\">0<", row, StringComparison.Ordinal);
        Assert.Contains($"class=\"num unsettled\" data-field=\"unsettled\" title=\"First unsettled key {report.UnsettledKeys[0].Key}: ", row, StringComparison.Ordinal);
        Assert.Contains($">{report.Unsettled.ToString("N0", CultureInfo.InvariantCulture)} (unsettled)<", row, StringComparison.Ordinal);
        // The chart plots confirmed drift (0) and marks the run on the time axis in amber.
        Assert.Equal(0L, Points(dom, "total")[report.ReportId]);
        Assert.Contains($"class=\"unsettled-run\" data-count=\"{report.Unsettled.ToString(CultureInfo.InvariantCulture)}\" data-report-id=\"{report.ReportId}\"", dom, StringComparison.Ordinal);
        AssertStayedOnLoopback(run);
    }

    [Fact]
    public async Task operator_page_screenshot_is_saved_as_a_test_artifact()
    {
        await host.PrepareAsync();
        // Load the DOM first so the screenshot shows data, not "Loading…".
        await LoadedDomAsync();
        var directory = ArtifactsDirectory();
        var path = Path.Combine(directory, "operator-page.png");
        File.Delete(path);

        var run = await HeadlessChromium.ScreenshotAsync(PageUrl, path, VirtualTime);

        var header = new byte[8];
        await using (var file = File.OpenRead(path))
        {
            await file.ReadExactlyAsync(header);
        }
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, header);
        AssertStayedOnLoopback(run);
        output.WriteLine($"Operator page screenshot: {path}");
        Console.WriteLine($"Operator page screenshot: {path}");
    }

    /// <summary>
    /// Loads the page until its first refresh has rendered everything (a slow first load on a busy
    /// machine may use up the virtual-time budget; a later attempt then finds the data).
    /// </summary>
    private async Task<(string Dom, ChromiumRun Run)> LoadedDomAsync(string? url = null)
    {
        ChromiumRun? run = null;
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            run = await HeadlessChromium.DumpDomAsync(url ?? PageUrl, VirtualTime);
            if (run.Output.Contains("data-loaded=\"true\"", StringComparison.Ordinal) && run.Output.Contains("class=\"point\"", StringComparison.Ordinal))
            {
                return (run.Output, run);
            }
            output.WriteLine($"Attempt {attempt}: the page had not finished its first refresh; loading again.");
        }
        Assert.Fail($"The operator page never rendered its data in Chromium. Last DOM:\n{run!.Output}\n{run.Diagnostics}");
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>
    /// Every request the page made went to 127.0.0.1; the browser connected nowhere else and looked
    /// up no name. (Chromium's own services, if they try, fail inside the browser by the resolver
    /// rules; they are listed in the output.)
    /// </summary>
    private void AssertStayedOnLoopback(ChromiumRun run)
    {
        var fromPage = run.NetLog.Requests.Where(r => r.IsFromLoopbackPage).ToList();
        Assert.Contains(fromPage, r => r.Url.EndsWith("/ui/operator.js", StringComparison.Ordinal));
        Assert.Contains(fromPage, r => r.Url.EndsWith("/v1/sources", StringComparison.Ordinal));
        var offLoopback = fromPage.Where(r => !r.TargetsLoopback).Select(r => r.Url).ToList();
        Assert.True(offLoopback.Count == 0, "The page requested URLs outside 127.0.0.1:\n" + string.Join('\n', offLoopback));
        var connects = run.NetLog.ConnectAddresses.Where(a => !a.StartsWith("127.0.0.1:", StringComparison.Ordinal)).ToList();
        Assert.True(connects.Count == 0, "Chromium connected outside 127.0.0.1: " + string.Join(", ", connects));
        Assert.Equal(0, run.NetLog.DnsTasks);
        foreach (var refused in run.NetLog.Requests.Where(r => !r.TargetsLoopback).Select(r => r.Url).Distinct())
        {
            output.WriteLine($"Chromium's own request, refused by the resolver rules: {refused}");
        }
    }

    private static string ArtifactsDirectory()
    {
        // ./test.sh collects results (TRX files) in TestResults/ at the repository root.
        var directory = Environment.GetEnvironmentVariable("SNAPSHOTSERVICE_TEST_ARTIFACTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(RepositoryPaths.Root, "TestResults", "operator-page");
        Directory.CreateDirectory(directory);
        return directory;
    }

    private static string Row(string dom, string sourceId)
    {
        var match = Regex.Match(dom, $"<tr data-source-id=\"{Regex.Escape(sourceId)}\"[^>]*>(.*?)</tr>", RegexOptions.Singleline);
        Assert.True(match.Success, $"The sources table has no row for '{sourceId}'.");
        return match.Value;
    }

    private static string ReportRow(string dom, string reportId)
    {
        var match = Regex.Match(dom, $"<tr data-report-id=\"{Regex.Escape(reportId)}\"[^>]*>(.*?)</tr>", RegexOptions.Singleline);
        Assert.True(match.Success, $"The drift table has no row for report '{reportId}'.");
        return match.Value;
    }

    private static string ChartOpening(string dom)
    {
        var match = ChartElement().Match(dom);
        Assert.True(match.Success, "The page has no drift chart (<svg class=\"drift-chart\">).");
        return match.Value;
    }

    /// <summary>The points of one chart series: report id → drifted keys.</summary>
    private static Dictionary<string, long> Points(string dom, string series) =>
        PointElement().Matches(dom)
            .Where(m => m.Groups["series"].Value == series)
            .ToDictionary(m => m.Groups["report"].Value, m => long.Parse(m.Groups["count"].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex("<svg[^>]*class=\"drift-chart\"[^>]*>")]
    private static partial Regex ChartElement();

    [GeneratedRegex("class=\"point\" data-series=\"(?<series>[a-z_]+)\" data-count=\"(?<count>\\d+)\" data-report-id=\"(?<report>[^\"]+)\"")]
    private static partial Regex PointElement();

    [GeneratedRegex("<div id=\"errors\"[^>]*></div>")]
    private static partial Regex EmptyErrors();
}
