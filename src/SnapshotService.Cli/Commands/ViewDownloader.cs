using System.IO.Hashing;
using Grpc.Core;
using SnapshotService.Api.V1;

namespace SnapshotService.Cli.Commands;

/// <summary>
/// Copies a published view to a local directory over gRPC (ReadViewFile), so --out works against
/// a remote host without a shared filesystem. Each file is written to a temp name, checked
/// against the manifest (size and XxHash128 for parts), then renamed; manifest.json comes last,
/// as in the store, so a directory with a manifest holds a complete view.
/// </summary>
internal static class ViewDownloader
{
    public static async Task<int> DownloadAsync(Snapshots.SnapshotsClient client, MaterializeSnapshotRequest view, View published, DirectoryInfo directory, CancellationToken cancellationToken, Action<string, long>? onFileCopied = null)
    {
        directory.Create();
        var copied = 0;
        foreach (var part in published.Parts)
        {
            await CopyAsync(client, view, part.Name, directory, cancellationToken, verify: data =>
            {
                var checksum = XxHash128.HashToUInt128(data).ToString("x32", System.Globalization.CultureInfo.InvariantCulture);
                return (ulong)data.Length == part.Bytes && string.Equals(checksum, part.Checksum, StringComparison.OrdinalIgnoreCase)
                    ? null
                    : $"part '{part.Name}' arrived with {data.Length} bytes and checksum {checksum}; the manifest says {part.Bytes} bytes and {part.Checksum}. Nothing was kept; run the command again.";
            });
            copied++;
            onFileCopied?.Invoke(part.Name, (long)part.Bytes);
        }
        await CopyAsync(client, view, "manifest.json", directory, cancellationToken, verify: _ => null);
        return copied + 1;
    }

    private static async Task CopyAsync(Snapshots.SnapshotsClient client, MaterializeSnapshotRequest view, string name, DirectoryInfo directory, CancellationToken cancellationToken, Func<byte[], string?> verify)
    {
        var request = new ReadViewFileRequest { SourceId = view.SourceId, SnapshotId = view.SnapshotId, Format = view.Format, Name = name };
        using var call = client.ReadViewFile(request, cancellationToken: cancellationToken);
        using var buffer = new MemoryStream();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            chunk.Data.WriteTo(buffer);
        }
        var data = buffer.ToArray();
        if (verify(data) is { } problem)
        {
            throw new RpcException(new Status(StatusCode.DataLoss, problem));
        }
        if (name.Length == 0 || Path.GetFileName(name) != name || name.StartsWith('.'))
        {
            // Names come from the server's manifest; never let one write outside the directory.
            throw new RpcException(new Status(StatusCode.DataLoss, $"the view names a file '{name}' that is not a plain file name; nothing was written for it."));
        }
        var target = Path.Combine(directory.FullName, name);
        var temp = target + ".partial";
        await File.WriteAllBytesAsync(temp, data, cancellationToken);
        File.Move(temp, target, overwrite: true);
    }
}
