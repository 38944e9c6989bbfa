extern alias snapshotctl;
using System.Text.Json;
using SnapshotService.Testing;
using Cli = snapshotctl::SnapshotService.Cli;

namespace SnapshotService.Host.Tests;

/// <summary>snapshotctl's entry point run in-process against the test host.</summary>
[Collection(HostCollection.Name)]
public sealed class CliTests(HostFixture host)
{
    [Fact]
    public async Task sources_list_prints_one_tab_separated_line_per_source()
    {
        var result = await RunAsync("sources", "list");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Lines;
        Assert.Equal(2, lines.Length);
        Assert.Equal([HostFixture.SourceId, "simulated"], lines[0].Split('\t')[..2]);
        Assert.Equal(HostFixture.PausableSourceId, lines[1].Split('\t')[0]);
        Assert.Equal(8, lines[0].Split('\t').Length);
    }

    [Fact]
    public async Task sources_get_json_prints_proto3_json()
    {
        await host.WaitForCommittedAsync(HostFixture.SourceId, 1);

        var result = await RunAsync("sources", "get", HostFixture.SourceId, "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(HostFixture.SourceId, json.RootElement.GetProperty("sourceId").GetString());
        Assert.Equal(JsonValueKind.String, json.RootElement.GetProperty("committedSeq").ValueKind);
    }

    [Fact]
    public async Task snapshots_create_list_and_get_round_trip()
    {
        await host.WaitForCommittedAsync(HostFixture.SourceId, 2);

        var created = await RunAsync("snapshots", "create", HostFixture.SourceId, "--label", "from-cli", "--at-seq", "2");
        Assert.Equal(0, created.ExitCode);
        var fields = created.Fields;
        Assert.Equal("2", fields["sequence"]);
        Assert.Equal("from-cli", fields["label"]);
        var snapshotId = fields["snapshot_id"];

        var listed = await RunAsync("snapshots", "list", HostFixture.SourceId, "--page-size", "1000");
        Assert.Equal(0, listed.ExitCode);
        Assert.Contains(listed.Lines, line => line.StartsWith(snapshotId + "\t2\tfrom-cli\t", StringComparison.Ordinal));

        var read = await RunAsync("snapshots", "get", HostFixture.SourceId, snapshotId);
        Assert.Equal(0, read.ExitCode);
        Assert.Equal(snapshotId, read.Fields["snapshot_id"]);
    }

    [Fact]
    public async Task snapshots_create_json_prints_the_snapshot()
    {
        await host.WaitForCommittedAsync(HostFixture.SourceId, 1);

        var result = await RunAsync("--json", "snapshots", "create", HostFixture.SourceId);

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.StartsWith("snap-", json.RootElement.GetProperty("snapshotId").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task unknown_source_exits_3_with_the_server_message()
    {
        var result = await RunAsync("sources", "get", "nope");

        Assert.Equal(Cli.ExitCodes.NotFound, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.StartsWith("error: NotFound: source 'nope' is not configured; configured sources: fast, pausable", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task malformed_source_id_exits_2_with_the_server_message()
    {
        var result = await RunAsync("snapshots", "list", "Bad/Id");

        Assert.Equal(Cli.ExitCodes.InvalidArgument, result.ExitCode);
        Assert.StartsWith("error: InvalidArgument: source_id 'Bad/Id'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task at_seq_with_at_time_is_a_usage_error()
    {
        var result = await RunAsync("snapshots", "create", HostFixture.SourceId, "--at-seq", "1", "--at-time", "2026-01-01T00:00:00Z");

        Assert.Equal(Cli.ExitCodes.InvalidArgument, result.ExitCode);
        Assert.Contains("--at-seq and --at-time cannot be used together", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task unparsable_at_time_is_a_usage_error()
    {
        var result = await RunAsync("snapshots", "create", HostFixture.SourceId, "--at-time", "yesterday");

        Assert.Equal(Cli.ExitCodes.InvalidArgument, result.ExitCode);
        Assert.Contains("--at-time must be an ISO 8601 time", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task unreachable_endpoint_exits_1_with_unavailable()
    {
        var console = Console();
        var code = await Cli.SnapshotCtl.RunAsync(["--endpoint", $"http://127.0.0.1:{FreePort.Next()}", "sources", "list"], console.Console, _ => null);

        Assert.Equal(Cli.ExitCodes.Other, code);
        Assert.StartsWith("error: Unavailable:", console.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task endpoint_defaults_to_the_environment_variable()
    {
        var console = Console();
        var code = await Cli.SnapshotCtl.RunAsync(["sources", "list"], console.Console, name => name == "SNAPSHOTCTL_ENDPOINT" ? host.GrpcEndpoint : null);

        Assert.Equal(0, code);
        Assert.StartsWith(HostFixture.SourceId + "\t", console.Out.ToString(), StringComparison.Ordinal);
    }

    private Task<CliResult> RunAsync(params string[] args) => CliRun.RunAsync(host, args);

    private static (Cli.CliConsole Console, StringWriter Out, StringWriter Error) Console()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        return (new Cli.CliConsole(output, error, IsTerminal: false), output, error);
    }
}
