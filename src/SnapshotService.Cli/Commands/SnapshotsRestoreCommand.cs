using System.CommandLine;
using System.Globalization;
using Grpc.Core;
using SnapshotService.Api.V1;
using SnapshotService.Cli.Output;

namespace SnapshotService.Cli.Commands;

/// <summary><c>snapshotctl snapshots restore ID SNAP --target file:NAME</c>.</summary>
internal static class SnapshotsRestoreCommand
{
    public static Command Build(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The source id." };
        var snapshotId = new Argument<string>("SNAP") { Description = "The snapshot id (snap-…)." };
        var target = new Option<string>("--target")
        {
            Description = "Where to restore: file:NAME (a file target under the server's SnapshotService:Restore:Directory).",
            Required = true,
        };
        var command = new Command("restore", "Restore a snapshot into a target (idempotent), then verify the target against the snapshot.") { id, snapshotId, target };
        command.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var request = new RestoreSnapshotRequest { SourceId = parse.GetValue(id)!, SnapshotId = parse.GetValue(snapshotId)!, Target = parse.GetValue(target)! };
            // No deadline: a large restore takes minutes; Ctrl+C stops it and a re-run completes it.
            using var stream = new Snapshots.SnapshotsClient(call.Channel).RestoreSnapshot(request, cancellationToken: call.CancellationToken);
            var final = await ProgressDisplay.FollowAsync(call.Printer, stream.ResponseStream.ReadAllAsync(call.CancellationToken));
            if (final?.Verification is not { } verification)
            {
                throw new RpcException(new Status(StatusCode.Internal, "the server ended the stream without the verification."));
            }
            Print(call.Printer, final, verification);
            return verification.Ok ? ExitCodes.Ok : ExitCodes.VerificationFailed;
        }, ct));
        return command;
    }

    private static void Print(Printer printer, RestoreProgress final, RestoreVerification v)
    {
        if (printer.Json)
        {
            printer.Message(final);
            return;
        }
        static string N(ulong value) => value.ToString(CultureInfo.InvariantCulture);
        printer.Fields(
        [
            ("target", v.Target),
            ("verified", v.Ok ? "true" : "false"),
            ("documents", N(final.DocumentsTotal)),
            ("upserted", N(final.Upserted)),
            ("deleted", N(final.Deleted)),
            ("unchanged", N(final.Unchanged)),
            ("target_documents", N(v.TargetDocuments)),
            ("target_checksum", v.TargetChecksum),
            ("view_checksum", v.ViewChecksum),
            ("missing", N(v.Missing)),
            ("extra", N(v.Extra)),
            ("modified", N(v.Modified)),
        ]);
    }
}
