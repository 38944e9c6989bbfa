extern alias snapshotctl;
using System.Text.Json;
using SnapshotService.Api.V1;
using SnapshotService.Testing;
using Cli = snapshotctl::SnapshotService.Cli;

namespace SnapshotService.Host.Tests;

/// <summary>snapshotctl snapshots materialize / delete, in-process against the test host.</summary>
[Collection(HostCollection.Name)]
public sealed class SnapshotViewCliTests(HostFixture host)
{
    private const string Id = HostFixture.SourceId;

    [Fact]
    public async Task materialize_prints_progress_lines_on_stderr_and_the_view_on_stdout()
    {
        var snapshot = await CreateSnapshotAsync();

        var result = await RunAsync("snapshots", "materialize", Id, snapshot.SnapshotId, "--format", "jsonl");

        Assert.Equal(0, result.ExitCode);
        var fields = result.Fields;
        Assert.Equal(snapshot.SnapshotId, fields["snapshot_id"]);
        Assert.Equal("jsonl", fields["format"]);
        Assert.Equal(snapshot.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), fields["sequence"]);
        Assert.Matches("^[0-9a-f]{32}$", fields["content_checksum"]);
        var progress = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("progress\t", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(progress);
        Assert.Equal(6, progress[0].Split('\t').Length);
    }

    [Fact]
    public async Task materialize_json_prints_only_the_view_as_proto3_json()
    {
        var snapshot = await CreateSnapshotAsync();

        var result = await RunAsync("--json", "snapshots", "materialize", Id, snapshot.SnapshotId, "--format", "parquet");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal("parquet", json.RootElement.GetProperty("format").GetString());
        Assert.DoesNotContain("progress\t", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task materialize_out_copies_the_view_files_and_they_match_the_store()
    {
        var snapshot = await CreateSnapshotAsync();
        using var output = new TempDirectory("snapsvc-cli-out");

        var result = await RunAsync("snapshots", "materialize", Id, snapshot.SnapshotId, "--format", "jsonl", "--out", output.Path);

        Assert.Equal(0, result.ExitCode);
        var path = result.Fields["path"];
        var stored = Directory.GetFiles(Path.Combine(host.ExportRoot, path)).Select(Path.GetFileName).Order().ToList();
        var copied = Directory.GetFiles(output.Path).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(stored, copied);
        Assert.Contains("manifest.json", copied);
        foreach (var name in copied)
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(host.ExportRoot, path, name!)), await File.ReadAllBytesAsync(Path.Combine(output.Path, name!)));
        }
        Assert.Contains($"copied {copied.Count} files", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task materialize_with_an_unknown_format_is_a_usage_error()
    {
        var result = await RunAsync("snapshots", "materialize", Id, ApiCalls.UnknownSnapshotId, "--format", "csv");

        Assert.Equal(Cli.ExitCodes.InvalidArgument, result.ExitCode);
        Assert.Contains("csv", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task materialize_of_an_unknown_snapshot_exits_3()
    {
        var result = await RunAsync("snapshots", "materialize", Id, ApiCalls.UnknownSnapshotId, "--format", "jsonl");

        Assert.Equal(Cli.ExitCodes.NotFound, result.ExitCode);
        Assert.StartsWith($"error: NotFound: snapshot '{ApiCalls.UnknownSnapshotId}'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task delete_prints_the_snapshot_marked_deleted_and_materialize_then_exits_4()
    {
        var snapshot = await CreateSnapshotAsync();

        var deleted = await RunAsync("snapshots", "delete", Id, snapshot.SnapshotId);
        var materialized = await RunAsync("snapshots", "materialize", Id, snapshot.SnapshotId, "--format", "jsonl");

        Assert.Equal(0, deleted.ExitCode);
        Assert.Equal("true", deleted.Fields["deleted"]);
        Assert.NotEqual("-", deleted.Fields["delete_time"]);
        Assert.Equal(Cli.ExitCodes.FailedPrecondition, materialized.ExitCode);
        Assert.Contains("was deleted at", materialized.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task list_shows_views_and_deletion_in_the_last_columns()
    {
        var snapshot = await CreateSnapshotAsync();
        await RunAsync("snapshots", "materialize", Id, snapshot.SnapshotId, "--format", "parquet");
        var kept = await CreateSnapshotAsync();
        await RunAsync("snapshots", "delete", Id, kept.SnapshotId);

        var listed = await RunAsync("snapshots", "list", Id, "--page-size", "1000");

        var materializedRow = listed.Lines.Single(l => l.StartsWith(snapshot.SnapshotId, StringComparison.Ordinal)).Split('\t');
        var deletedRow = listed.Lines.Single(l => l.StartsWith(kept.SnapshotId, StringComparison.Ordinal)).Split('\t');
        Assert.Equal(["parquet", "-"], materializedRow[^2..]);
        Assert.Equal("-", deletedRow[^2]);
        Assert.NotEqual("-", deletedRow[^1]);
    }

    [Fact]
    public async Task restore_prints_the_verification_and_a_rerun_writes_nothing()
    {
        var snapshot = await CreateSnapshotAsync();

        var first = await RunAsync("snapshots", "restore", Id, snapshot.SnapshotId, "--target", "file:cli-drill");
        var again = await RunAsync("snapshots", "restore", Id, snapshot.SnapshotId, "--target", "file:cli-drill");

        Assert.Equal(0, first.ExitCode);
        Assert.Equal("true", first.Fields["verified"]);
        Assert.Equal(first.Fields["view_checksum"], first.Fields["target_checksum"]);
        Assert.Equal(first.Fields["documents"], first.Fields["upserted"]);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(("0", "0"), (again.Fields["upserted"], again.Fields["deleted"]));
        Assert.Contains(first.Error.Split('\n'), l => l.StartsWith("progress\t", StringComparison.Ordinal));
    }

    [Fact]
    public async Task restore_without_target_is_a_usage_error()
    {
        var result = await RunAsync("snapshots", "restore", Id, ApiCalls.UnknownSnapshotId);

        Assert.Equal(Cli.ExitCodes.InvalidArgument, result.ExitCode);
        Assert.Contains("--target", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task restore_json_prints_the_final_message_only()
    {
        var snapshot = await CreateSnapshotAsync();

        var result = await RunAsync("--json", "snapshots", "restore", Id, snapshot.SnapshotId, "--target", "file:cli-json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.True(json.RootElement.GetProperty("verification").GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task on_a_terminal_materialize_runs_the_progress_bar_and_prints_the_view()
    {
        var snapshot = await CreateSnapshotAsync();
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await Cli.SnapshotCtl.RunAsync(
            ["--endpoint", host.GrpcEndpoint, "snapshots", "materialize", Id, snapshot.SnapshotId, "--format", "jsonl"],
            new Cli.CliConsole(output, error, IsTerminal: true),
            _ => null);

        Assert.Equal(0, code);
        // Spectre draws the live bar only on a real terminal; here it must not fail or garble the result.
        Assert.Contains("content_checksum", output.ToString(), StringComparison.Ordinal);
        Assert.Equal("", error.ToString());
    }

    private async Task<Snapshot> CreateSnapshotAsync()
    {
        await host.WaitForCommittedAsync(Id, 10);
        return await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Id });
    }

    private Task<CliResult> RunAsync(params string[] args) => CliRun.RunAsync(host, args);
}
