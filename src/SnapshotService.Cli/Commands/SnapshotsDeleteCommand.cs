using System.CommandLine;
using SnapshotService.Api.V1;

namespace SnapshotService.Cli.Commands;

/// <summary><c>snapshotctl snapshots delete ID SNAP</c>.</summary>
internal static class SnapshotsDeleteCommand
{
    public static Command Build(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The source id." };
        var snapshotId = new Argument<string>("SNAP") { Description = "The snapshot id (snap-…)." };
        var command = new Command("delete", "Delete a snapshot: frees its views; its metadata stays, marked deleted.") { id, snapshotId };
        command.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var request = new DeleteSnapshotRequest { SourceId = parse.GetValue(id)!, SnapshotId = parse.GetValue(snapshotId)! };
            var snapshot = await new Snapshots.SnapshotsClient(call.Channel).DeleteSnapshotAsync(request, deadline: call.Deadline, cancellationToken: call.CancellationToken);
            SnapshotsCommands.Print(call.Printer, snapshot);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
