using Grpc.Core;
using SnapshotService.Api.V1;

namespace SnapshotService.Host.Tests;

/// <summary>The streaming snapshot calls (materialize, restore, view files), read to the end.</summary>
public static class ViewCalls
{
    public static async Task<List<MaterializeProgress>> MaterializeAsync(HostFixture host, string sourceId, string snapshotId, string format)
    {
        using var call = host.Snapshots.MaterializeSnapshot(new MaterializeSnapshotRequest { SourceId = sourceId, SnapshotId = snapshotId, Format = format });
        var messages = new List<MaterializeProgress>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            messages.Add(message);
        }
        return messages;
    }

    public static async Task<List<RestoreProgress>> RestoreAsync(HostFixture host, string sourceId, string snapshotId, string target)
    {
        using var call = host.Snapshots.RestoreSnapshot(new RestoreSnapshotRequest { SourceId = sourceId, SnapshotId = snapshotId, Target = target });
        var messages = new List<RestoreProgress>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            messages.Add(message);
        }
        return messages;
    }

    public static async Task<byte[]> ReadViewFileAsync(HostFixture host, string sourceId, string snapshotId, string format, string name)
    {
        using var call = host.Snapshots.ReadViewFile(new ReadViewFileRequest { SourceId = sourceId, SnapshotId = snapshotId, Format = format, Name = name });
        using var buffer = new MemoryStream();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync())
        {
            Assert.Equal((ulong)buffer.Length, chunk.Offset);
            chunk.Data.WriteTo(buffer);
        }
        return buffer.ToArray();
    }
}
