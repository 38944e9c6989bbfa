using System.CommandLine;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using SnapshotService.Api.V1;
using SnapshotService.Cli.Output;

namespace SnapshotService.Cli.Commands;

/// <summary><c>snapshotctl snapshots create|list|get</c> (materialize, delete and restore live in their own files).</summary>
internal static class SnapshotsCommands
{
    private static readonly string[] ListHeaders = ["SNAPSHOT", "SEQUENCE", "LABEL", "CREATED", "SOURCE TIME", "VIEWS", "DELETED"];

    public static Command Build(CommandRunner runner)
    {
        var command = new Command("snapshots", "Create and read point-in-time snapshots (anchors).");
        command.Subcommands.Add(Create(runner));
        command.Subcommands.Add(List(runner));
        command.Subcommands.Add(Get(runner));
        command.Subcommands.Add(SnapshotsMaterializeCommand.Build(runner));
        command.Subcommands.Add(SnapshotsDeleteCommand.Build(runner));
        command.Subcommands.Add(SnapshotsRestoreCommand.Build(runner));
        return command;
    }

    private static Command Create(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The source id." };
        var label = new Option<string?>("--label") { Description = "A label of at most 200 characters." };
        var atSeq = new Option<ulong?>("--at-seq") { Description = "Anchor at this sequence number (1..committed_seq)." };
        var atTime = new Option<DateTimeOffset?>("--at-time")
        {
            Description = "Anchor at the last commit whose source time is at or before this ISO 8601 time (UTC unless an offset is given).",
            CustomParser = ParseTime,
        };
        var command = new Command("create", "Create a snapshot: latest committed change by default.") { id, label, atSeq, atTime };
        command.Validators.Add(result =>
        {
            if (result.GetResult(atSeq) is not null && result.GetResult(atTime) is not null)
            {
                result.AddError("--at-seq and --at-time cannot be used together; give at most one.");
            }
        });
        command.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var request = new CreateSnapshotRequest { SourceId = parse.GetValue(id)!, Label = parse.GetValue(label) ?? string.Empty };
            if (parse.GetValue(atSeq) is { } sequence)
            {
                request.AtSequence = sequence;
            }
            else if (parse.GetValue(atTime) is { } time)
            {
                request.AtTime = Timestamp.FromDateTimeOffset(time);
            }
            var snapshot = await Client(call).CreateSnapshotAsync(request, deadline: call.Deadline, cancellationToken: call.CancellationToken);
            Print(call.Printer, snapshot);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command List(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The source id." };
        var pageSize = new Option<int>("--page-size") { Description = "1..1000 snapshots per page (default 100)." };
        var pageToken = new Option<string?>("--page-token") { Description = "The token printed after the previous page." };
        var command = new Command("list", "List a source's snapshots, newest first.") { id, pageSize, pageToken };
        command.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var request = new ListSnapshotsRequest
            {
                SourceId = parse.GetValue(id)!,
                PageSize = parse.GetValue(pageSize),
                PageToken = parse.GetValue(pageToken) ?? string.Empty,
            };
            var response = await Client(call).ListSnapshotsAsync(request, deadline: call.Deadline, cancellationToken: call.CancellationToken);
            if (call.Printer.Json)
            {
                call.Printer.Message(response);
                return ExitCodes.Ok;
            }
            call.Printer.Rows(ListHeaders, response.Snapshots.Select(s => (IReadOnlyList<string>)
            [
                s.SnapshotId,
                Formats.Number(s.Sequence),
                Formats.OrDash(s.Label),
                Formats.Time(s.CreateTime),
                Formats.Time(s.SourceTime),
                s.Views.Count == 0 ? "-" : string.Join(',', s.Views.Select(v => v.Format)),
                s.Deleted ? Formats.Time(s.DeleteTime) : "-",
            ]));
            if (response.NextPageToken.Length > 0)
            {
                call.Printer.Note($"more: snapshotctl snapshots list {request.SourceId} --page-token {response.NextPageToken}");
            }
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command Get(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The source id." };
        var snapshotId = new Argument<string>("SNAP") { Description = "The snapshot id (snap-…)." };
        var command = new Command("get", "Show one snapshot.") { id, snapshotId };
        command.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var request = new GetSnapshotRequest { SourceId = parse.GetValue(id)!, SnapshotId = parse.GetValue(snapshotId)! };
            var snapshot = await Client(call).GetSnapshotAsync(request, deadline: call.Deadline, cancellationToken: call.CancellationToken);
            Print(call.Printer, snapshot);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    internal static void Print(Printer printer, Snapshot s)
    {
        if (printer.Json)
        {
            printer.Message(s);
            return;
        }
        printer.Fields(
        [
            ("snapshot_id", s.SnapshotId),
            ("source_id", s.SourceId),
            ("sequence", Formats.Number(s.Sequence)),
            ("label", Formats.OrDash(s.Label)),
            ("create_time", Formats.Time(s.CreateTime)),
            ("source_time", Formats.Time(s.SourceTime)),
            ("source_position", Formats.OrDash(s.SourcePosition)),
            ("deleted", s.Deleted ? "true" : "false"),
            ("delete_time", Formats.Time(s.DeleteTime)),
            ("views", s.Views.Count == 0 ? "-" : string.Join(", ", s.Views.Select(v => $"{v.Format} ({v.Documents} documents, {v.ContentChecksum})"))),
        ]);
    }

    private static DateTimeOffset? ParseTime(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }
        result.AddError($"--at-time must be an ISO 8601 time such as 2026-11-23T10:15:00Z (was '{text}').");
        return null;
    }

    private static Snapshots.SnapshotsClient Client(CallContext call) => new(call.Channel);
}
