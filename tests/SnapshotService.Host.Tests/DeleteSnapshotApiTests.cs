using System.Net;
using Grpc.Core;
using SnapshotService.Api.V1;

namespace SnapshotService.Host.Tests;

[Collection(HostCollection.Name)]
public sealed class DeleteSnapshotApiTests(HostFixture host)
{
    private const string Id = HostFixture.SourceId;

    [Fact]
    public async Task delete_frees_the_views_and_keeps_the_anchor_marked_deleted()
    {
        var snapshot = await CreateSnapshotAsync();
        var view = (await ViewCalls.MaterializeAsync(host, Id, snapshot.SnapshotId, "jsonl"))[^1].View;
        var folder = Path.Combine(host.ExportRoot, view.Path);
        Assert.True(Directory.EnumerateFiles(folder).Any());

        var deleted = await host.Snapshots.DeleteSnapshotAsync(new DeleteSnapshotRequest { SourceId = Id, SnapshotId = snapshot.SnapshotId });

        Assert.True(deleted.Deleted);
        Assert.NotNull(deleted.DeleteTime);
        Assert.Equal(snapshot.Sequence, deleted.Sequence);
        Assert.Empty(deleted.Views);
        Assert.False(Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any(), "the view's files are gone");
        var read = await host.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SourceId = Id, SnapshotId = snapshot.SnapshotId });
        Assert.Equal(deleted, read);
        var listed = (await host.Snapshots.ListSnapshotsAsync(new ListSnapshotsRequest { SourceId = Id, PageSize = 1000 })).Snapshots.Single(s => s.SnapshotId == snapshot.SnapshotId);
        Assert.True(listed.Deleted);
        Assert.Equal(deleted.DeleteTime, listed.DeleteTime);
    }

    [Fact]
    public async Task deleting_twice_keeps_the_first_deletion_time()
    {
        var snapshot = await CreateSnapshotAsync();
        var first = await host.Snapshots.DeleteSnapshotAsync(new DeleteSnapshotRequest { SourceId = Id, SnapshotId = snapshot.SnapshotId });

        var second = await host.Snapshots.DeleteSnapshotAsync(new DeleteSnapshotRequest { SourceId = Id, SnapshotId = snapshot.SnapshotId });

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task materializing_a_deleted_snapshot_is_failed_precondition()
    {
        var snapshot = await CreateSnapshotAsync();
        await host.Snapshots.DeleteSnapshotAsync(new DeleteSnapshotRequest { SourceId = Id, SnapshotId = snapshot.SnapshotId });

        var ex = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, $"snapshot '{snapshot.SnapshotId}' of source '{Id}' was deleted at", () => ViewCalls.MaterializeAsync(host, Id, snapshot.SnapshotId, "parquet"));
        Assert.Contains("Create a new snapshot", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task deleting_an_unknown_snapshot_is_not_found() =>
        await RpcAssert.FailsAsync(StatusCode.NotFound, "does not exist", async () => await host.Snapshots.DeleteSnapshotAsync(new DeleteSnapshotRequest { SourceId = Id, SnapshotId = ApiCalls.UnknownSnapshotId }));

    [Fact]
    public async Task deleting_a_malformed_snapshot_id_is_invalid_argument() =>
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "snapshot_id", async () => await host.Snapshots.DeleteSnapshotAsync(new DeleteSnapshotRequest { SourceId = Id, SnapshotId = "../x" }));

    [Fact]
    public async Task delete_over_http_returns_the_deleted_snapshot()
    {
        var snapshot = await CreateSnapshotAsync();

        var response = await host.Http.DeleteJsonAsync($"/v1/sources/{Id}/snapshots/{snapshot.SnapshotId}");

        response.AssertOk();
        Assert.True(response.Body.GetProperty("deleted").GetBoolean());
        Assert.Equal(snapshot.SnapshotId, response.Body.GetProperty("snapshotId").GetString());
    }

    [Fact]
    public async Task delete_over_http_of_an_unknown_snapshot_is_404() =>
        (await host.Http.DeleteJsonAsync($"/v1/sources/{Id}/snapshots/{ApiCalls.UnknownSnapshotId}"))
            .AssertError(HttpStatusCode.NotFound, StatusCode.NotFound, "does not exist");

    private async Task<Snapshot> CreateSnapshotAsync()
    {
        await host.WaitForCommittedAsync(Id, 10);
        return await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Id });
    }
}
