using Grpc.Core;

namespace SnapshotService.Host.Grpc;

/// <summary>The same mapping for server-streaming calls (reconciliation progress, materialize, restore, file reads).</summary>
internal sealed partial class ErrorMappingInterceptor
{
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw ToRpcException(ex, context);
        }
    }
}
