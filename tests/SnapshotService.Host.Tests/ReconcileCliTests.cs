namespace SnapshotService.Host.Tests;

/// <summary>snapshotctl reconcile/drift run in-process against the drift test host.</summary>
[Collection(DriftHostCollection.Name)]
public sealed class ReconcileCliTests(DriftHostFixture host)
{
    [Fact]
    public async Task reconcile_run_without_dry_run_repairs_and_prints_what_it_wrote()
    {
        await host.WaitForCaptureToFinishAsync(DriftHostFixture.CliRepairSourceId);

        var result = await RunAsync("reconcile", "run", DriftHostFixture.CliRepairSourceId, "--full");
        var again = await RunAsync("reconcile", "run", DriftHostFixture.CliRepairSourceId, "--full", "--dry-run");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("full", result.Fields["mode"]);
        Assert.NotEqual("0", result.Fields["repaired"].Split(' ')[0]);
        Assert.Equal(result.Fields["drift_total"], result.Fields["repaired"].Split(' ')[0]);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal("0", again.Fields["drift_total"]);
    }

    [Fact]
    public async Task drift_list_get_keys_and_episodes_show_the_drifty_report()
    {
        var report = await host.DriftyReportAsync();
        var missing = report.Categories.Single(c => c.Category == "missing_in_export");

        var listed = await RunAsync("drift", "list", DriftHostFixture.DriftySourceId, "--only-drift");
        var got = await RunAsync("drift", "get", DriftHostFixture.DriftySourceId, report.ReportId);
        var keys = await RunAsync("drift", "get", DriftHostFixture.DriftySourceId, report.ReportId, "--keys", "missing_in_export", "--page-size", "3");
        var episodes = await RunAsync("drift", "episodes", DriftHostFixture.DriftySourceId);

        Assert.Equal(0, listed.ExitCode);
        Assert.Contains(listed.Lines, l => l.StartsWith(report.ReportId + "\tfull (dry run)\tsucceeded\t", StringComparison.Ordinal));
        Assert.Equal(0, got.ExitCode);
        Assert.Equal(report.ReportId, got.Fields["report_id"]);
        Assert.StartsWith(missing.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), got.Fields["missing_in_export"], StringComparison.Ordinal);
        Assert.Equal(0, keys.ExitCode);
        Assert.Equal(missing.FirstKeys.Take(3), keys.Lines.Take(3).Select(l => l.Split('\t')[0]));
        Assert.Equal(0, episodes.ExitCode);
        Assert.Contains(episodes.Lines, l => l.StartsWith(missing.FirstKeys[0] + "\t", StringComparison.Ordinal));
    }

    private Task<CliResult> RunAsync(params string[] args) => CliRun.RunAsync(host, args);
}
