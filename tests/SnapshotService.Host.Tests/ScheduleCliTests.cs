extern alias snapshotctl;
using System.Text.Json;
using Cli = snapshotctl::SnapshotService.Cli;

namespace SnapshotService.Host.Tests;

/// <summary>snapshotctl schedule set|list|delete run in-process against the test host.</summary>
[Collection(HostCollection.Name)]
public sealed class ScheduleCliTests(HostFixture host)
{
    private const string Id = HostFixture.SourceId;

    [Fact]
    public async Task schedule_set_list_and_delete_round_trip()
    {
        var every = await RunAsync("schedule", "set", Id, "cli-every", "--every", "15m", "--report-only");
        var cron = await RunAsync("schedule", "set", Id, "cli-cron", "--cron", "0 3 * * 0", "--time-zone", "America/New_York", "--full");
        var listed = await RunAsync("schedule", "list", Id);
        var deleted = await RunAsync("schedule", "delete", Id, "cli-every");
        var deletedAgain = await RunAsync("schedule", "delete", Id, "cli-every");
        await RunAsync("schedule", "delete", Id, "cli-cron");

        Assert.Equal(0, every.ExitCode);
        Assert.Equal(("cli-every", "every 15m", "incremental", "report_only", "-"),
            (every.Fields["schedule_id"], every.Fields["when"], every.Fields["mode"], every.Fields["repair_policy"], every.Fields["last_outcome"]));
        Assert.Equal(0, cron.ExitCode);
        Assert.Equal(("cron 0 3 * * 0 (America/New_York)", "full", "auto"), (cron.Fields["when"], cron.Fields["mode"], cron.Fields["repair_policy"]));
        Assert.Equal(0, listed.ExitCode);
        Assert.Contains(listed.Lines, l => l.StartsWith("cli-cron\tcron 0 3 * * 0 (America/New_York)\tfull\tauto\t", StringComparison.Ordinal));
        Assert.Contains(listed.Lines, l => l.StartsWith("cli-every\tevery 15m\tincremental\treport_only\t", StringComparison.Ordinal));
        Assert.Equal(0, deleted.ExitCode);
        Assert.Equal("deleted schedule cli-every of source fast", deleted.Error.Trim());
        Assert.Equal(Cli.ExitCodes.NotFound, deletedAgain.ExitCode);
        Assert.StartsWith("error: NotFound: schedule 'cli-every' of source 'fast' does not exist", deletedAgain.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task schedule_set_and_list_json_print_proto3_json()
    {
        var set = await RunAsync("--json", "schedule", "set", Id, "cli-json", "--every", "1h");
        var listed = await RunAsync("schedule", "list", Id, "--json");
        await RunAsync("schedule", "delete", Id, "cli-json");

        Assert.Equal(0, set.ExitCode);
        using var json = JsonDocument.Parse(set.Out);
        Assert.Equal("1h", json.RootElement.GetProperty("every").GetString());
        Assert.Equal("auto", json.RootElement.GetProperty("repairPolicy").GetString());
        Assert.Equal(0, listed.ExitCode);
        using var list = JsonDocument.Parse(listed.Out);
        Assert.Contains(list.RootElement.GetProperty("schedules").EnumerateArray(), s => s.GetProperty("scheduleId").GetString() == "cli-json");
    }

    [Fact]
    public async Task schedule_set_needs_exactly_one_of_cron_and_every()
    {
        var both = await RunAsync("schedule", "set", Id, "s", "--cron", "0 2 * * *", "--every", "15m");
        var neither = await RunAsync("schedule", "set", Id, "s");

        Assert.Equal(Cli.ExitCodes.InvalidArgument, both.ExitCode);
        Assert.StartsWith("error: give exactly one of --cron EXPR or --every INTERVAL.", both.Error, StringComparison.Ordinal);
        Assert.Equal(Cli.ExitCodes.InvalidArgument, neither.ExitCode);
        Assert.StartsWith("error: give exactly one of --cron EXPR or --every INTERVAL.", neither.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task schedule_set_prints_the_server_refusal_naming_the_field()
    {
        var cron = await RunAsync("schedule", "set", Id, "s", "--cron", "61 * * * *");
        var every = await RunAsync("schedule", "set", Id, "s", "--every", "10s");
        var zone = await RunAsync("schedule", "set", Id, "s", "--cron", "0 2 * * *", "--time-zone", "Nowhere/City");

        Assert.Equal(Cli.ExitCodes.InvalidArgument, cron.ExitCode);
        Assert.StartsWith("error: InvalidArgument: cron '61 * * * *' is invalid", cron.Error, StringComparison.Ordinal);
        Assert.Equal(Cli.ExitCodes.InvalidArgument, every.ExitCode);
        Assert.StartsWith("error: InvalidArgument: every 10s is shorter than the minimum interval 1m", every.Error, StringComparison.Ordinal);
        Assert.Equal(Cli.ExitCodes.InvalidArgument, zone.ExitCode);
        Assert.StartsWith("error: InvalidArgument: time_zone 'Nowhere/City' is not a known IANA time zone", zone.Error, StringComparison.Ordinal);
    }

    private Task<CliResult> RunAsync(params string[] args) => CliRun.RunAsync(host, args);
}
