using System.Net;
using Grpc.Core;

namespace SnapshotService.Host.Tests;

/// <summary>source_id checks come first in every method, over gRPC and JSON/HTTP alike.</summary>
[Collection(HostCollection.Name)]
public sealed class SourceIdValidationTests(HostFixture host)
{
    [Theory]
    [MemberData(nameof(ApiCalls.MethodsTimesMalformedIds), MemberType = typeof(ApiCalls))]
    public async Task malformed_source_id_is_invalid_argument_naming_source_id_over_grpc(string method, string sourceId) =>
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "source_id", () => ApiCalls.Grpc[method](host, sourceId));

    [Theory]
    [MemberData(nameof(ApiCalls.MethodsTimesMalformedIds), MemberType = typeof(ApiCalls))]
    public async Task malformed_source_id_is_400_naming_source_id_over_http(string method, string sourceId) =>
        (await ApiCalls.Http[method](host.Http, sourceId)).AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "source_id");

    [Theory]
    [MemberData(nameof(ApiCalls.Methods), MemberType = typeof(ApiCalls))]
    public async Task empty_source_id_is_invalid_argument_over_grpc(string method) =>
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "source_id is required", () => ApiCalls.Grpc[method](host, ""));

    [Theory]
    [MemberData(nameof(ApiCalls.Methods), MemberType = typeof(ApiCalls))]
    public async Task unknown_source_is_not_found_listing_configured_sources_over_grpc(string method)
    {
        var ex = await RpcAssert.FailsAsync(StatusCode.NotFound, "source 'nope' is not configured", () => ApiCalls.Grpc[method](host, "nope"));
        Assert.Contains($"configured sources: {HostFixture.SourceId}, {HostFixture.PausableSourceId}", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ApiCalls.Methods), MemberType = typeof(ApiCalls))]
    public async Task unknown_source_is_404_over_http(string method) =>
        (await ApiCalls.Http[method](host.Http, "nope")).AssertError(HttpStatusCode.NotFound, StatusCode.NotFound, "source 'nope' is not configured");

    [Fact]
    public async Task sixty_four_character_id_message_states_the_limit()
    {
        var ex = await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "source_id", () => ApiCalls.Grpc["GetSource"](host, new string('a', 64)));
        Assert.Contains("64 characters long; the limit is 63", ex.Status.Detail, StringComparison.Ordinal);
    }
}
