using System.CommandLine;
using System.Globalization;
using SnapshotService.Api.V1;
using SnapshotService.Cli.Output;
using Spectre.Console;

namespace SnapshotService.Cli.Commands;

/// <summary>
/// <c>snapshotctl sources watch ID [--interval 2s] [--count N]</c>: a source's live status. On a
/// terminal the status table refreshes in place; piped, one tab-separated line per refresh; with
/// --json, one JSON object per line (JSON lines). Stops after --count refreshes or on Ctrl-C.
/// </summary>
internal static class SourcesWatchCommand
{
    private static readonly string[] LineHeaders = ["TIME", "STATE", "COMMITTED SEQ", "LAG (S)", "POSITION AGE (S)", "CHANGES/S", "SILO"];

    public static Command Build(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The source id." };
        var interval = new Option<TimeSpan>("--interval") { Description = "Time between refreshes (e.g. 2s, 500ms, 00:00:05).", DefaultValueFactory = _ => TimeSpan.FromSeconds(2), CustomParser = ParseInterval };
        var count = new Option<int>("--count") { Description = "Stop after this many refreshes (default: until Ctrl-C)." };
        count.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError($"--count must be 0 (until Ctrl-C) or positive (was {result.GetValueOrDefault<int>()}).");
            }
        });
        var command = new Command("watch", "Show a source's status live: state, lag, position age, last commit, silo.") { id, interval, count };
        command.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var sourceId = parse.GetValue(id)!;
            var every = parse.GetValue(interval);
            var limit = parse.GetValue(count);
            var client = new Sources.SourcesClient(call.Channel);
            Task<Source> GetAsync() => client.GetSourceAsync(new GetSourceRequest { SourceId = sourceId }, deadline: DateTime.UtcNow + every + TimeSpan.FromSeconds(30), cancellationToken: call.CancellationToken).ResponseAsync;
            try
            {
                if (call.Printer.Ansi is { } ansi)
                {
                    var first = await GetAsync();
                    await ansi.Live(Render(first)).StartAsync(async live =>
                    {
                        for (var n = 1; limit == 0 || n < limit; n++)
                        {
                            await Task.Delay(every, call.CancellationToken);
                            live.UpdateTarget(Render(await GetAsync()));
                        }
                    });
                    return ExitCodes.Ok;
                }
                for (var n = 0; limit == 0 || n < limit; n++)
                {
                    if (n > 0)
                    {
                        await Task.Delay(every, call.CancellationToken);
                    }
                    var source = await GetAsync();
                    if (call.Printer.Json)
                    {
                        call.Printer.MessageLine(source);
                    }
                    else
                    {
                        call.Printer.Rows(LineHeaders, [Line(source)]);
                    }
                }
            }
            catch (OperationCanceledException) when (call.CancellationToken.IsCancellationRequested)
            {
                // Ctrl-C ends a watch normally.
            }
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static IReadOnlyList<string> Line(Source s) =>
    [
        DateTimeOffset.UtcNow.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
        Formats.State(s.State),
        Formats.Number(s.CommittedSeq),
        Formats.Number(s.LagSeconds, 1),
        Formats.Number(s.PositionAgeSeconds, 1),
        Formats.Number(s.ChangesPerSecond, 0),
        Formats.OrDash(s.Silo),
    ];

    private static Table Render(Source s)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"{Markup.Escape(s.SourceId)} — refreshed {DateTimeOffset.Now:HH:mm:ss}");
        table.AddColumn("field").AddColumn("value");
        void Row(string name, string value, Style? style = null) => table.AddRow(new Text(name), new Text(value, style));
        Row("state", Formats.State(s.State) + (s.FailureReason.Length > 0 ? $" ({s.FailureReason})" : ""), Formats.StateStyle(Formats.State(s.State)));
        Row("committed seq", Formats.Number(s.CommittedSeq));
        Row("lag", $"{Formats.Number(s.LagSeconds, 1)} s (budget {Formats.Number(s.LagBudgetSeconds, 0)} s)");
        Row("position age", $"{Formats.Number(s.PositionAgeSeconds, 1)} s");
        Row("changes/s", Formats.Number(s.ChangesPerSecond, 0));
        Row("last commit", Formats.Time(s.LastCommitTime));
        Row("silo", Formats.OrDash(s.Silo));
        Row("history headroom", s.HasHistoryHeadroomSeconds ? Formats.Number(s.HistoryHeadroomSeconds / 3600, 1) + " h" : "-");
        return table;
    }

    private static TimeSpan ParseInterval(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count == 0 ? "2s" : result.Tokens[0].Value;
        if (Durations.TryParse(text, out var value) && value >= TimeSpan.FromMilliseconds(100))
        {
            return value;
        }
        result.AddError($"--interval must be a duration of at least 100ms such as 2s, 500ms or 00:00:05 (was '{text}').");
        return default;
    }
}
