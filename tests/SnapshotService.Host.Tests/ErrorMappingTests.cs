using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using SnapshotService.Errors;
using SnapshotService.Host.Grpc;

namespace SnapshotService.Host.Tests;

public sealed class ErrorMappingTests
{
    private readonly ErrorMappingInterceptor _interceptor = new(NullLogger<ErrorMappingInterceptor>.Instance);

    [Theory]
    [InlineData(ErrorKind.InvalidArgument, StatusCode.InvalidArgument)]
    [InlineData(ErrorKind.NotFound, StatusCode.NotFound)]
    [InlineData(ErrorKind.FailedPrecondition, StatusCode.FailedPrecondition)]
    [InlineData(ErrorKind.AlreadyExists, StatusCode.AlreadyExists)]
    [InlineData(ErrorKind.ResourceExhausted, StatusCode.ResourceExhausted)]
    [InlineData(ErrorKind.Conflict, StatusCode.Aborted)]
    public async Task each_refusal_kind_maps_to_its_status_with_the_message(ErrorKind kind, StatusCode expected)
    {
        var ex = await CallThrowingAsync(new SnapshotServiceException(kind, "what to fix", "some_field"));

        Assert.Equal(expected, ex.StatusCode);
        Assert.Equal("what to fix", ex.Status.Detail);
        Assert.Equal("some_field", ex.Trailers.GetValue("snapshotservice-field"));
    }

    [Fact]
    public async Task refusal_wrapped_by_the_runtime_is_unwrapped()
    {
        var wrapped = new InvalidOperationException("outer", new AggregateException(new SnapshotServiceException(ErrorKind.NotFound, "inner refusal")));

        var ex = await CallThrowingAsync(wrapped);

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Equal("inner refusal", ex.Status.Detail);
    }

    [Fact]
    public async Task unexpected_errors_become_internal_without_details()
    {
        var ex = await CallThrowingAsync(new InvalidOperationException("secret path /var/data/x"));

        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        Assert.DoesNotContain("secret", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("error id", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task rpc_exceptions_pass_through_unchanged()
    {
        var ex = await CallThrowingAsync(new RpcException(new Status(StatusCode.Unauthenticated, "who are you")));

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        Assert.Equal("who are you", ex.Status.Detail);
    }

    private Task<RpcException> CallThrowingAsync(Exception exception) =>
        Assert.ThrowsAsync<RpcException>(() => _interceptor.UnaryServerHandler<string, string>(
            "request",
            new FakeServerCallContext(),
            (_, _) => Task.FromException<string>(exception)));

    private sealed class FakeServerCallContext : ServerCallContext
    {
        protected override string MethodCore => "/test/Method";
        protected override string HostCore => "localhost";
        protected override string PeerCore => "ipv4:127.0.0.1:1";
        protected override DateTime DeadlineCore => DateTime.MaxValue;
        protected override Metadata RequestHeadersCore { get; } = [];
        protected override CancellationToken CancellationTokenCore => CancellationToken.None;
        protected override Metadata ResponseTrailersCore { get; } = [];
        protected override Status StatusCore { get; set; }
        protected override WriteOptions? WriteOptionsCore { get; set; }
        protected override AuthContext AuthContextCore => new(null, []);
        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();
        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
    }
}
