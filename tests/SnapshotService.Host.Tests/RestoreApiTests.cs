using System.Net;
using System.Text.Json;
using Grpc.Core;
using SnapshotService.Api.V1;

namespace SnapshotService.Host.Tests;

[Collection(HostCollection.Name)]
public sealed class RestoreApiTests(HostFixture host)
{
    private const string Id = HostFixture.SourceId;

    [Fact]
    public async Task restore_streams_progress_and_ends_with_a_passing_verification()
    {
        var snapshot = await CreateSnapshotAsync();

        var messages = await ViewCalls.RestoreAsync(host, Id, snapshot.SnapshotId, "file:grpc-drill");

        var final = messages[^1];
        Assert.All(messages.SkipLast(1), m => Assert.Null(m.Verification));
        var verification = final.Verification;
        Assert.True(verification.Ok, verification.ToString());
        Assert.Equal(verification.ViewChecksum, verification.TargetChecksum);
        Assert.Equal(verification.ViewDocuments, verification.TargetDocuments);
        Assert.Equal(final.DocumentsTotal, final.Upserted);
        Assert.EndsWith("grpc-drill", verification.Target, StringComparison.Ordinal);
        Assert.Equal((int)verification.TargetDocuments, Directory.GetFiles(Path.Combine(host.RestoreRoot, "grpc-drill"), "*.json").Length);
        var view = Assert.Single((await host.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SourceId = Id, SnapshotId = snapshot.SnapshotId })).Views);
        Assert.Equal(view.ContentChecksum, verification.TargetChecksum);
    }

    [Fact]
    public async Task restoring_again_writes_nothing_and_a_tampered_target_is_repaired()
    {
        var snapshot = await CreateSnapshotAsync();
        await ViewCalls.RestoreAsync(host, Id, snapshot.SnapshotId, "file:rerun");
        var again = (await ViewCalls.RestoreAsync(host, Id, snapshot.SnapshotId, "file:rerun"))[^1];
        Assert.Equal((0UL, 0UL), (again.Upserted, again.Deleted));
        Assert.Equal(again.DocumentsTotal, again.Unchanged);

        var files = Directory.GetFiles(Path.Combine(host.RestoreRoot, "rerun"), "*.json");
        File.Delete(files[0]);
        var repaired = (await ViewCalls.RestoreAsync(host, Id, snapshot.SnapshotId, "file:rerun"))[^1];

        Assert.Equal(1UL, repaired.Upserted);
        Assert.True(repaired.Verification.Ok);
    }

    [Theory]
    [InlineData("", "target is required")]
    [InlineData("mongodb:orders", "target 'mongodb:orders' is not supported; use file:NAME")]
    [InlineData("file:../etc", "target name '../etc' is invalid")]
    public async Task bad_target_is_invalid_argument_naming_target(string target, string message)
    {
        var snapshot = await CreateSnapshotAsync();

        var ex = await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "target", () => ViewCalls.RestoreAsync(host, Id, snapshot.SnapshotId, target));
        Assert.Contains(message, ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task restoring_an_unknown_snapshot_is_not_found() =>
        await RpcAssert.FailsAsync(StatusCode.NotFound, "does not exist", () => ViewCalls.RestoreAsync(host, Id, ApiCalls.UnknownSnapshotId, "file:x"));

    [Fact]
    public async Task restoring_a_deleted_snapshot_is_failed_precondition()
    {
        var snapshot = await CreateSnapshotAsync();
        await host.Snapshots.DeleteSnapshotAsync(new DeleteSnapshotRequest { SourceId = Id, SnapshotId = snapshot.SnapshotId });

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "was deleted at", () => ViewCalls.RestoreAsync(host, Id, snapshot.SnapshotId, "file:deleted"));
    }

    [Fact]
    public async Task restore_over_http_returns_the_progress_messages_with_the_verification_last()
    {
        var snapshot = await CreateSnapshotAsync();

        var (status, body) = await host.Http.PostJsonAsync($"/v1/sources/{Id}/snapshots/{snapshot.SnapshotId}:restore", "{\"target\":\"file:http-drill\"}");

        Assert.True(status == HttpStatusCode.OK, $"HTTP {(int)status}: {body}");
        var lines = body.TryGetProperty("raw", out var raw)
            ? raw.GetString()!.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            : [body.GetRawText()];
        using var final = JsonDocument.Parse(lines[^1]);
        Assert.True(final.RootElement.GetProperty("verification").GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task bad_target_over_http_is_400_naming_target()
    {
        var snapshot = await CreateSnapshotAsync();

        (await host.Http.PostJsonAsync($"/v1/sources/{Id}/snapshots/{snapshot.SnapshotId}:restore", "{\"target\":\"s3:bucket\"}"))
            .AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "target");
    }

    private async Task<Snapshot> CreateSnapshotAsync()
    {
        await host.WaitForCommittedAsync(Id, 10);
        return await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Id });
    }
}
