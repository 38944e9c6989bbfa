using System.CommandLine;
using Grpc.Core;
using SnapshotService.Api.V1;
using SnapshotService.Cli.Output;

namespace SnapshotService.Cli.Commands;

/// <summary><c>snapshotctl reconcile run</c>.</summary>
internal static class ReconcileCommands
{
    /// <summary>A full run reads the whole source; the server allows a run 10 minutes, so the CLI waits as long.</summary>
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(10);

    public static Command Build(CommandRunner runner)
    {
        var command = new Command("reconcile", "Compare a source's export with the source and report drift.");
        command.Subcommands.Add(Run(runner));
        return command;
    }

    private static Command Run(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The source id." };
        var full = new Option<bool>("--full") { Description = "Check every range (default: incremental: keys changed since the last aligned run plus a rotating slice of ranges)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Report drift without repairing it (default: repair through the source's commit path)." };
        var command = new Command("run", "Run a reconciliation to the end with live progress and print its drift report.") { id, full, dryRun };
        command.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var request = new RunReconciliationRequest
            {
                SourceId = parse.GetValue(id)!,
                Mode = parse.GetValue(full) ? "full" : "incremental",
                DryRun = parse.GetValue(dryRun),
            };
            using var stream = new Reconciliation.ReconciliationClient(call.Channel)
                .RunReconciliationStream(request, deadline: DateTime.UtcNow + RunTimeout, cancellationToken: call.CancellationToken);
            var report = (await ProgressDisplay.FollowAsync(call.Printer, stream.ResponseStream.ReadAllAsync(call.CancellationToken)))?.Report
                ?? throw new RpcException(new Status(StatusCode.Unavailable, $"the server closed the progress stream before sending the report; find it with 'snapshotctl drift list {request.SourceId}'."));
            DriftCommands.Print(call.Printer, report);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
