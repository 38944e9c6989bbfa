using System.CommandLine;
using SnapshotService.Api.V1;
using SnapshotService.Cli.Output;

namespace SnapshotService.Cli.Commands;

/// <summary><c>snapshotctl sources list|get|pause|resume|backfill|verify</c>.</summary>
internal static class SourcesCommands
{
    private static readonly string[] ListHeaders = ["SOURCE", "KIND", "STATE", "COMMITTED SEQ", "COMMITS", "LAG (S)", "CHANGES/S", "LAST COMMIT"];

    public static Command Build(CommandRunner runner)
    {
        var command = new Command("sources", "Inspect and control the configured sources.");

        var list = new Command("list", "List every configured source with its status.");
        list.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var response = await Client(call).ListSourcesAsync(new ListSourcesRequest(), deadline: call.Deadline, cancellationToken: call.CancellationToken);
            if (call.Printer.Json)
            {
                call.Printer.Message(response);
            }
            else
            {
                call.Printer.Rows(ListHeaders, response.Sources.Select(Row), (column, text) => column == 2 ? Formats.StateStyle(text) : null);
            }
            return ExitCodes.Ok;
        }, ct));
        command.Subcommands.Add(list);

        command.Subcommands.Add(SourceCommand(runner, "get", "Show one source's status.",
            (client, id, call) => client.GetSourceAsync(new GetSourceRequest { SourceId = id }, deadline: call.Deadline, cancellationToken: call.CancellationToken).ResponseAsync));
        command.Subcommands.Add(SourceCommand(runner, "pause", "Stop capture after committing what was read; the position is kept.",
            (client, id, call) => client.PauseSourceAsync(new PauseSourceRequest { SourceId = id }, deadline: call.Deadline, cancellationToken: call.CancellationToken).ResponseAsync));
        command.Subcommands.Add(SourceCommand(runner, "resume", "Restart capture from the last committed position.",
            (client, id, call) => client.ResumeSourceAsync(new ResumeSourceRequest { SourceId = id }, deadline: call.Deadline, cancellationToken: call.CancellationToken).ResponseAsync));
        command.Subcommands.Add(BackfillCommand(runner));
        command.Subcommands.Add(VerifyCommand(runner));
        command.Subcommands.Add(SourcesWatchCommand.Build(runner));
        return command;
    }

    private static Command BackfillCommand(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The source id." };
        var keys = new Option<string[]>("--key") { Description = "A key to backfill (repeat for several); without it the whole collection is backfilled.", AllowMultipleArgumentsPerToken = true };
        var command = new Command("backfill", "Re-read the whole collection (or the given keys) lock-free, merged with the stream; progress shows in `sources get`.") { id, keys };
        command.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var request = new BackfillSourceRequest { SourceId = parse.GetValue(id)! };
            request.Keys.AddRange(parse.GetValue(keys) ?? []);
            var source = await Client(call).BackfillSourceAsync(request, deadline: call.Deadline, cancellationToken: call.CancellationToken);
            Print(call, source);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command SourceCommand(CommandRunner runner, string name, string description, Func<Sources.SourcesClient, string, CallContext, Task<Source>> rpc)
    {
        var id = new Argument<string>("ID") { Description = "The source id." };
        var command = new Command(name, description) { id };
        command.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var source = await rpc(Client(call), parse.GetValue(id)!, call);
            Print(call, source);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command VerifyCommand(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The source id." };
        var command = new Command("verify", $"Re-read the source's export log and check it; exits {ExitCodes.VerificationFailed} when it finds a problem.") { id };
        command.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var report = await Client(call).VerifyLogAsync(new VerifyLogRequest { SourceId = parse.GetValue(id)! }, deadline: call.Deadline, cancellationToken: call.CancellationToken);
            if (call.Printer.Json)
            {
                call.Printer.Message(report);
            }
            else
            {
                call.Printer.Fields(
                [
                    ("source_id", report.SourceId),
                    ("ok", report.Ok ? "true" : "false"),
                    ("commits", Formats.Number(report.Commits)),
                    ("first_seq", Formats.Number(report.FirstSeq)),
                    ("last_seq", Formats.Number(report.LastSeq)),
                    ("records", Formats.Number(report.Records)),
                    ("gaps", report.Gaps.Count == 0 ? "-" : string.Join(", ", report.Gaps.Select(g => $"{g.First}..{g.Last}"))),
                    ("duplicate_seqs", report.DuplicateSeqs.Count == 0 ? "-" : string.Join(", ", report.DuplicateSeqs)),
                    ("checksum_failures", report.ChecksumFailures.Count == 0 ? "-" : string.Join(", ", report.ChecksumFailures)),
                    ("orphan_files", report.OrphanFiles.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    ("problems", report.Problems.Count == 0 ? "-" : string.Join(" | ", report.Problems)),
                ]);
            }
            return report.Ok ? ExitCodes.Ok : ExitCodes.VerificationFailed;
        }, ct));
        return command;
    }

    private static Sources.SourcesClient Client(CallContext call) => new(call.Channel);

    private static void Print(CallContext call, Source source)
    {
        if (call.Printer.Json)
        {
            call.Printer.Message(source);
        }
        else
        {
            call.Printer.Fields(Fields(source));
        }
    }

    private static IReadOnlyList<string> Row(Source s) =>
    [
        s.SourceId,
        s.Kind,
        Formats.State(s.State),
        Formats.Number(s.CommittedSeq),
        Formats.Number(s.CommitCount),
        Formats.Number(s.LagSeconds, 1),
        Formats.Number(s.ChangesPerSecond, 0),
        Formats.Time(s.LastCommitTime),
    ];

    private static IEnumerable<(string, string)> Fields(Source s) =>
    [
        ("source_id", s.SourceId),
        ("kind", s.Kind),
        ("state", Formats.State(s.State)),
        ("failure_reason", Formats.OrDash(s.FailureReason)),
        ("committed_seq", Formats.Number(s.CommittedSeq)),
        ("commit_count", Formats.Number(s.CommitCount)),
        ("position", Formats.OrDash(s.PositionSummary)),
        ("lag_seconds", Formats.Number(s.LagSeconds, 3)),
        ("changes_per_second", Formats.Number(s.ChangesPerSecond, 1)),
        ("last_commit_time", Formats.Time(s.LastCommitTime)),
        ("description", Formats.OrDash(s.Description)),
        ("history_headroom", s.HasHistoryHeadroomSeconds ? Formats.Number(s.HistoryHeadroomSeconds / 3600, 1) + " h" : "-"),
        ("backfill", Formats.OrDash(s.Backfill)),
        .. s.RecentEvents.Take(5).Select((e, i) => ($"event_{i + 1}", $"{Formats.Time(e.Time)} {e.Kind}: {e.Message}")),
    ];
}
