using System.CommandLine;
using System.Globalization;
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
        var command = new Command("run", "Run a reconciliation to the end with a live progress bar (on stderr) and print its drift report.") { id, full, dryRun };
        command.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var request = new RunReconciliationRequest
            {
                SourceId = parse.GetValue(id)!,
                Mode = parse.GetValue(full) ? "full" : "incremental",
                DryRun = parse.GetValue(dryRun),
            };
            var client = new Reconciliation.ReconciliationClient(call.Channel);
            var report = await LiveProgress.RunAsync(call.Console, $"reconcile {request.SourceId}", report => WatchAsync(client, request, report, call.CancellationToken));
            DriftCommands.Print(call.Printer, report);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static async Task<DriftReport> WatchAsync(Reconciliation.ReconciliationClient client, RunReconciliationRequest request, Action<double, double, string> report, CancellationToken cancellationToken)
    {
        using var stream = client.RunReconciliationStream(request, deadline: DateTime.UtcNow + RunTimeout, cancellationToken: cancellationToken);
        await foreach (var update in stream.ResponseStream.ReadAllAsync(cancellationToken))
        {
            if (update.Report is { } done)
            {
                return done;
            }
            var p = update.Progress;
            report(p.RangesDone, p.RangesTotal, string.Create(CultureInfo.InvariantCulture,
                $"{p.RangesDone}/{p.RangesTotal} ranges, {p.SourceDocumentsRead:N0} documents read, {p.DriftFound:N0} drifted ({p.ReportId})"));
        }
        throw new RpcException(new Status(StatusCode.Unavailable, "the server closed the progress stream before sending the report; find it with 'snapshotctl drift list'."));
    }
}
