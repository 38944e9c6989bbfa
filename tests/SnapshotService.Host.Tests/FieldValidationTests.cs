using System.Net;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using SnapshotService.Api.V1;

namespace SnapshotService.Host.Tests;

/// <summary>Each bad field gets its status and a message naming the field, over gRPC and JSON/HTTP.</summary>
[Collection(HostCollection.Name)]
public sealed class FieldValidationTests(HostFixture host)
{
    private const string Id = HostFixture.SourceId;
    private const string UnknownSnapshotId = "snap-00000000000000000000000000";

    public static TheoryData<string> MalformedSnapshotIds => ["nope", "snap-", "snap-!!!!!!!!!!!!!!!!!!!!!!!!!!", "../../etc/passwd", new string('x', 300)];

    [Theory]
    [MemberData(nameof(MalformedSnapshotIds))]
    public async Task malformed_snapshot_id_is_invalid_argument_over_grpc(string snapshotId) =>
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "snapshot_id", async () =>
            await host.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SourceId = Id, SnapshotId = snapshotId }));

    [Theory]
    [MemberData(nameof(MalformedSnapshotIds))]
    public async Task malformed_snapshot_id_is_400_over_http(string snapshotId) =>
        (await host.Http.GetJsonAsync($"/v1/sources/{Id}/snapshots/{HttpApi.Segment(snapshotId)}"))
            .AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "snapshot_id");

    [Fact]
    public async Task unknown_snapshot_id_is_not_found_over_grpc()
    {
        var ex = await RpcAssert.FailsAsync(StatusCode.NotFound, $"snapshot '{UnknownSnapshotId}'", async () =>
            await host.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SourceId = Id, SnapshotId = UnknownSnapshotId }));
        // The field at fault also travels as a trailer, for clients that act on it.
        Assert.Equal("snapshot_id", ex.Trailers.GetValue("snapshotservice-field"));
    }

    [Fact]
    public async Task unknown_snapshot_id_is_404_over_http() =>
        (await host.Http.GetJsonAsync($"/v1/sources/{Id}/snapshots/{UnknownSnapshotId}"))
            .AssertError(HttpStatusCode.NotFound, StatusCode.NotFound, $"snapshot '{UnknownSnapshotId}'");

    [Theory]
    [InlineData(-1)]
    [InlineData(1001)]
    [InlineData(5000)]
    public async Task page_size_out_of_range_is_invalid_argument_over_grpc(int pageSize)
    {
        var ex = await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "page_size", async () =>
            await host.Snapshots.ListSnapshotsAsync(new ListSnapshotsRequest { SourceId = Id, PageSize = pageSize }));
        Assert.Contains($"page_size {pageSize} is out of range; use 1..1000", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pageSize", -1)]
    [InlineData("page_size", 1001)]
    public async Task page_size_out_of_range_is_400_over_http(string parameter, int pageSize) =>
        (await host.Http.GetJsonAsync($"/v1/sources/{Id}/snapshots?{parameter}={pageSize}"))
            .AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "page_size");

    [Theory]
    [InlineData("garbage")]
    [InlineData("!!not-base64!!")]
    public async Task bad_page_token_is_invalid_argument_over_grpc(string token) =>
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "page_token", async () =>
            await host.Snapshots.ListSnapshotsAsync(new ListSnapshotsRequest { SourceId = Id, PageToken = token }));

    [Fact]
    public async Task bad_page_token_is_400_over_http() =>
        (await host.Http.GetJsonAsync($"/v1/sources/{Id}/snapshots?pageToken=garbage"))
            .AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "page_token");

    [Fact]
    public async Task at_sequence_zero_is_invalid_argument_over_grpc()
    {
        // An empty log is refused first (failed precondition): only with a commit is 0 out of range.
        await host.WaitForCommittedAsync(Id, 1);

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "at_sequence", async () =>
            await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Id, AtSequence = 0 }));
    }

    [Fact]
    public async Task at_sequence_zero_is_400_over_http()
    {
        await host.WaitForCommittedAsync(Id, 1);

        (await host.Http.PostJsonAsync($"/v1/sources/{Id}/snapshots", """{"atSequence":"0"}"""))
            .AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "at_sequence");
    }

    [Fact]
    public async Task at_sequence_beyond_committed_is_invalid_argument_naming_the_range_over_grpc()
    {
        var source = await host.WaitForCommittedAsync(Id, 1);
        var beyond = source.CommittedSeq + 1_000_000_000;

        var ex = await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "at_sequence", async () =>
            await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Id, AtSequence = beyond }));

        Assert.Contains($"outside the committed range 1..", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task at_sequence_beyond_int64_is_invalid_argument_over_grpc() =>
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "at_sequence", async () =>
            await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Id, AtSequence = ulong.MaxValue }));

    [Fact]
    public async Task at_sequence_beyond_committed_is_400_over_http()
    {
        var source = await host.WaitForCommittedAsync(Id, 1);

        (await host.Http.PostJsonAsync($"/v1/sources/{Id}/snapshots", $$"""{"atSequence":"{{source.CommittedSeq + 1_000_000_000}}"}"""))
            .AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "at_sequence");
    }

    [Fact]
    public async Task at_time_before_the_first_commit_is_failed_precondition_over_grpc()
    {
        await host.WaitForCommittedAsync(Id, 1);

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "at_time", async () =>
            await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest
            {
                SourceId = Id,
                AtTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            }));
    }

    [Fact]
    public async Task at_time_before_the_first_commit_is_400_over_http()
    {
        await host.WaitForCommittedAsync(Id, 1);

        (await host.Http.PostJsonAsync($"/v1/sources/{Id}/snapshots", """{"atTime":"2000-01-01T00:00:00Z"}"""))
            .AssertError(HttpStatusCode.BadRequest, StatusCode.FailedPrecondition, "at_time");
    }

    [Fact]
    public async Task invalid_at_time_timestamp_is_invalid_argument_over_grpc() =>
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "at_time", async () =>
            await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Id, AtTime = new Timestamp { Seconds = long.MaxValue } }));

    [Fact]
    public async Task label_over_200_characters_is_invalid_argument_over_grpc() =>
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "label", async () =>
            await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Id, Label = new string('l', 201) }));

    [Fact]
    public async Task label_over_200_characters_is_400_over_http() =>
        (await host.Http.PostJsonAsync($"/v1/sources/{Id}/snapshots", $$"""{"label":"{{new string('l', 201)}}"}"""))
            .AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "label");
}
