using Grpc.Core;
using SnapshotService.Api.V1;
using SnapshotService.Retention;
using SnapshotService.Storage;

namespace SnapshotService.Host.Tests;

/// <summary>What the API says about history retention pruned (the marker is written directly, as a collection would).</summary>
[Collection(HostCollection.Name)]
public sealed class RetentionApiTests(HostFixture host)
{
    // The pausable source: a marker on it cannot disturb the snapshot tests of the fast one.
    private const string Id = HostFixture.PausableSourceId;

    [Fact]
    public async Task anchoring_or_materializing_below_the_retention_boundary_is_failed_precondition_saying_so()
    {
        await host.WaitForCommittedAsync(Id, 20);
        var early = await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Id, AtSequence = 5 });
        var store = new FileSystemObjectStore(host.ExportRoot);
        // As if a collection ran before this snapshot existed and kept history from seq 10 on.
        await new RetentionMarker(10, 0, early.CreateTime.ToDateTimeOffset().AddSeconds(-1), 0).WriteAsync(store, Id, default);
        try
        {
            var materialize = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "retention pruned the log records before seq 10", () => ViewCalls.MaterializeAsync(host, Id, early.SnapshotId, "jsonl"));
            Assert.Contains("Snapshots at seq 10 or later can be materialized", materialize.Status.Detail, StringComparison.Ordinal);

            var anchor = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "at_sequence", async () => await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Id, AtSequence = 9 }));
            Assert.Contains("before seq 10, the oldest history retention keeps", anchor.Status.Detail, StringComparison.Ordinal);

            var atBoundary = await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Id, AtSequence = 10 });
            Assert.True((await ViewCalls.MaterializeAsync(host, Id, atBoundary.SnapshotId, "jsonl"))[^1].View.Documents > 0);
        }
        finally
        {
            await store.DeleteAsync(RetentionMarker.Key(Id), default);
        }
    }
}
