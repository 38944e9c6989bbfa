extern alias snapshotctl;
using System.CommandLine;
using System.Text.Json;
using SnapshotService.Testing;
using Cli = snapshotctl::SnapshotService.Cli;

namespace SnapshotService.Host.Tests;

/// <summary>
/// --json on every command: the test walks snapshotctl's command tree and runs every leaf command
/// with --json against a live host; each must print JSON only (one document, or JSON lines for
/// watch). A new command without a sample here fails the test, so it cannot ship without --json.
/// </summary>
[Collection(QualityHostCollection.Name)]
public sealed class CliJsonTests(QualityHostFixture host)
{
    private const string Source = QualityHostFixture.ShapesSourceId;

    [Fact]
    public async Task every_command_prints_json_only_with_the_json_option()
    {
        await host.WaitForCaptureToFinishAsync(Source);
        var snapshot = (await JsonOf("snapshots", "create", Source)).GetProperty("snapshotId").GetString()!;
        var report = (await JsonOf("reconcile", "run", Source, "--full", "--dry-run")).GetProperty("reportId").GetString()!;
        using var files = new TempDirectory("cli-json");
        var schemaFile = Path.Combine(files.Path, "contract.json");
        await File.WriteAllTextAsync(schemaFile, """{"type":"object"}""");
        var samples = new Dictionary<string, string[]>
        {
            ["sources list"] = [],
            ["sources get"] = [Source],
            ["sources pause"] = [HostFixture.PausableSourceId],
            ["sources resume"] = [HostFixture.PausableSourceId],
            ["sources backfill"] = [], // simulated sources cannot backfill: the refusal is checked below
            ["sources verify"] = [Source],
            ["sources watch"] = [Source, "--count", "2", "--interval", "100ms"],
            ["snapshots create"] = [Source],
            ["snapshots list"] = [Source],
            ["snapshots get"] = [Source, snapshot],
            ["snapshots materialize"] = [Source, snapshot, "--format", "jsonl"],
            ["snapshots restore"] = [Source, snapshot, "--target", "file:cli-json"],
            ["snapshots delete"] = [], // deleting the shared snapshot would break the others: run last, below
            ["reconcile run"] = [Source, "--dry-run"],
            ["drift list"] = [Source],
            ["drift get"] = [Source, report],
            ["drift episodes"] = [Source],
            ["schedule set"] = [Source, "cli-json", "--every", "1h", "--report-only"],
            ["schedule list"] = [Source],
            ["schedule delete"] = [Source, "cli-json"],
            ["schema get"] = [Source],
            ["schema diff"] = [Source, snapshot],
            ["schema contract get"] = [Source],
            ["schema contract set"] = [Source, schemaFile, "--policy", "flag"],
            ["schema contract delete"] = [Source],
            ["deadletters list"] = [Source],
            ["deadletters retry"] = [Source, "--all"],
            ["deadletters discard"] = [Source, ApiCalls.UnknownDeadLetterId],
        };

        var leaves = Leaves(Cli.SnapshotCtl.BuildRootCommand(new Cli.CliConsole(TextWriter.Null, TextWriter.Null, false)), "").ToList();
        Assert.Empty(leaves.Except(samples.Keys));
        foreach (var (command, args) in samples.Where(s => s.Value.Length > 0))
        {
            var result = await CliRun.RunAsync(host, [.. command.Split(' '), .. args, "--json"]);
            Assert.True(result.ExitCode == 0, $"snapshotctl {command} --json exited {result.ExitCode}: {result.Error}");
            AssertJsonOnly(command, result.Out);
        }
        var refused = await CliRun.RunAsync(host, "sources", "backfill", Source, "--json");
        Assert.Equal(("", Cli.ExitCodes.FailedPrecondition), (refused.Out, refused.ExitCode));
        AssertJsonOnly("snapshots delete", (await CliRun.RunAsync(host, "snapshots", "delete", Source, snapshot, "--json")).Out);
    }

    [Fact]
    public async Task sources_watch_prints_one_line_per_refresh_and_stops_after_count()
    {
        var lines = await CliRun.RunAsync(host, "sources", "watch", Source, "--count", "3", "--interval", "100ms");
        var json = await CliRun.RunAsync(host, "sources", "watch", Source, "--count", "2", "--interval", "100ms", "--json");
        var missing = await CliRun.RunAsync(host, "sources", "watch", "nope", "--count", "1");
        var badInterval = await CliRun.RunAsync(host, "sources", "watch", Source, "--interval", "fast");

        Assert.Equal(0, lines.ExitCode);
        Assert.Equal(3, lines.Lines.Length);
        Assert.All(lines.Lines, l => Assert.Equal(7, l.Split('\t').Length));
        Assert.Equal(2, json.Lines.Length);
        Assert.All(json.Lines, l => Assert.Equal(Source, JsonDocument.Parse(l).RootElement.GetProperty("sourceId").GetString()));
        Assert.Equal(Cli.ExitCodes.NotFound, missing.ExitCode);
        Assert.Contains("not configured", missing.Error, StringComparison.Ordinal);
        Assert.Equal(Cli.ExitCodes.InvalidArgument, badInterval.ExitCode);
        Assert.Contains("--interval", badInterval.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task schema_and_deadletter_commands_print_tables_of_their_results()
    {
        // The schema shows the new shape once capture is past the change; the flagged source's
        // letters are empty only meaningfully once its violations have arrived.
        await host.WaitForCaptureToFinishAsync(Source);
        await host.WaitForCaptureToFinishAsync(QualityHostFixture.FlaggedSourceId);
        var schema = await CliRun.RunAsync(host, "schema", "get", Source);
        var letters = await CliRun.RunAsync(host, "deadletters", "list", QualityHostFixture.FlaggedSourceId);

        Assert.Equal(0, schema.ExitCode);
        Assert.Contains(schema.Lines, l => l.StartsWith("version\tinteger|string\t", StringComparison.Ordinal));
        Assert.Contains("document versions up to seq", schema.Error, StringComparison.Ordinal);
        Assert.Equal(0, letters.ExitCode);
        Assert.Empty(letters.Lines);
    }

    [Theory]
    [InlineData("NO_COLOR", false)]
    [InlineData("--no-color", false)]
    [InlineData("", true)]
    public async Task a_terminal_gets_coloured_states_unless_colour_is_turned_off(string how, bool coloured)
    {
        var output = new StringWriter();
        var args = new List<string> { "--endpoint", host.GrpcEndpoint, "sources", "list" };
        await host.WaitForCommittedAsync(HostFixture.SourceId, 1);
        if (how.StartsWith("--", StringComparison.Ordinal))
        {
            args.Add(how);
        }
        var code = await Cli.SnapshotCtl.RunAsync([.. args], new Cli.CliConsole(output, TextWriter.Null, IsTerminal: true), name => how.Length > 0 && name == how ? "1" : null);

        Assert.Equal(0, code);
        Assert.Contains(Source, output.ToString(), StringComparison.Ordinal);
        Assert.Contains("─", output.ToString(), StringComparison.Ordinal); // still a table
        // Bold and dim stay (they are not colour); no foreground or background colour code may appear.
        var codes = System.Text.RegularExpressions.Regex.Matches(output.ToString(), "\u001b\\[[0-9;]*m").Select(m => m.Value).Distinct();
        var colourCodes = codes.Where(code => !new[] { "\u001b[0m", "\u001b[1m", "\u001b[2m", "\u001b[22m" }.Contains(code)).ToList();
        Assert.Equal(coloured, colourCodes.Count > 0);
    }

    [Fact]
    public async Task piped_reconcile_progress_lines_carry_a_rate_and_a_time_left()
    {
        await host.WaitForCaptureToFinishAsync(QualityHostFixture.FlaggedSourceId);

        var result = await CliRun.RunAsync(host, "reconcile", "run", QualityHostFixture.FlaggedSourceId, "--full", "--dry-run");

        Assert.Equal(0, result.ExitCode);
        var progress = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("progress\t", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(progress);
        // progress, ranges done, ranges total, documents read, documents/s, drifted, seconds left (- when unknown), report id
        Assert.All(progress, line =>
        {
            var fields = line.Split('\t');
            Assert.Equal(8, fields.Length);
            Assert.True(double.TryParse(fields[4], System.Globalization.CultureInfo.InvariantCulture, out var rate) && rate >= 0, line);
            Assert.True(fields[6] == "-" || double.TryParse(fields[6], System.Globalization.CultureInfo.InvariantCulture, out _), line);
        });
    }

    private async Task<JsonElement> JsonOf(params string[] args)
    {
        var result = await CliRun.RunAsync(host, [.. args, "--json"]);
        Assert.True(result.ExitCode == 0, result.Error);
        return JsonDocument.Parse(result.Out).RootElement.Clone();
    }

    private static void AssertJsonOnly(string command, string output)
    {
        Assert.False(string.IsNullOrWhiteSpace(output), $"snapshotctl {command} --json printed nothing");
        try
        {
            using var document = JsonDocument.Parse(output);
        }
        catch (JsonException)
        {
            // Streams print JSON lines: every line must be a JSON document.
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                try
                {
                    using var document = JsonDocument.Parse(line);
                }
                catch (JsonException e)
                {
                    Assert.Fail($"snapshotctl {command} --json printed something that is not JSON: '{line}' ({e.Message})");
                }
            }
        }
    }

    private static IEnumerable<string> Leaves(Command command, string path)
    {
        if (command.Subcommands.Count == 0)
        {
            yield return path;
            yield break;
        }
        foreach (var sub in command.Subcommands)
        {
            foreach (var leaf in Leaves(sub, path.Length == 0 ? sub.Name : $"{path} {sub.Name}"))
            {
                yield return leaf;
            }
        }
    }
}
