using System.CommandLine;
using Grpc.Core;
using SnapshotService.Api.V1;
using SnapshotService.Cli.Output;

namespace SnapshotService.Cli.Commands;

/// <summary><c>snapshotctl snapshots materialize ID SNAP --format parquet|jsonl [--out DIR]</c>.</summary>
internal static class SnapshotsMaterializeCommand
{
    public static Command Build(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The source id." };
        var snapshotId = new Argument<string>("SNAP") { Description = "The snapshot id (snap-…)." };
        var format = new Option<string>("--format") { Description = "jsonl (zstd-compressed JSON lines) or parquet.", Required = true };
        format.AcceptOnlyFromAmong("jsonl", "parquet");
        var output = new Option<DirectoryInfo?>("--out")
        {
            Description = "Copy the published view (parts and manifest.json) into this directory, streamed over gRPC and checked against the manifest's checksums.",
        };
        var command = new Command("materialize", "Materialize a snapshot into files DuckDB, Spark or jq read, with live progress.") { id, snapshotId, format, output };
        command.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var request = new MaterializeSnapshotRequest { SourceId = parse.GetValue(id)!, SnapshotId = parse.GetValue(snapshotId)!, Format = parse.GetValue(format)! };
            var client = new Snapshots.SnapshotsClient(call.Channel);
            // No deadline: a large view takes minutes; Ctrl+C cancels (the server resumes on a re-run).
            using var stream = client.MaterializeSnapshot(request, cancellationToken: call.CancellationToken);
            var final = await ProgressDisplay.FollowAsync(call.Printer, stream.ResponseStream.ReadAllAsync(call.CancellationToken));
            if (final?.View is not { } view)
            {
                throw new RpcException(new Status(StatusCode.Internal, "the server ended the stream without the published view."));
            }
            PrintView(call.Printer, request.SnapshotId, view);
            if (parse.GetValue(output) is { } directory)
            {
                var download = new DownloadProgress(call.Printer, view.Parts.Count, (long)view.Bytes);
                var copied = await ViewDownloader.DownloadAsync(client, request, view, directory, call.CancellationToken, download.FileCopied);
                call.Printer.Note($"copied {copied} files ({Formats.Number(view.Bytes)} bytes of parts) to {directory.FullName}");
            }
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static void PrintView(Printer printer, string snapshotId, View view)
    {
        if (printer.Json)
        {
            printer.Message(view);
            return;
        }
        printer.Fields(
        [
            ("snapshot_id", snapshotId),
            ("format", view.Format),
            ("sequence", Formats.Number(view.Sequence)),
            ("documents", Formats.Number(view.Documents)),
            ("document_bytes", Formats.Number(view.DocumentBytes)),
            ("bytes", Formats.Number(view.Bytes)),
            ("parts", view.Parts.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("content_checksum", view.ContentChecksum),
            ("path", view.Path),
            ("location", view.Location),
            ("materialize_time", Formats.Time(view.MaterializeTime)),
        ]);
    }
}
