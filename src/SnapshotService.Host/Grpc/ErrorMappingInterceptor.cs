using Grpc.Core;
using Grpc.Core.Interceptors;
using SnapshotService.Errors;

namespace SnapshotService.Host.Grpc;

/// <summary>
/// Turns refusals (<see cref="SnapshotServiceException"/>) into gRPC statuses carrying their
/// message, for gRPC and JSON-transcoded calls alike. Anything else becomes INTERNAL with a
/// generic message and a request id; the details go to the log, never to the client.
/// </summary>
internal sealed partial class ErrorMappingInterceptor(ILogger<ErrorMappingInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw ToRpcException(ex, context);
        }
    }

    internal static StatusCode ToStatusCode(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => StatusCode.InvalidArgument,
        ErrorKind.NotFound => StatusCode.NotFound,
        ErrorKind.FailedPrecondition => StatusCode.FailedPrecondition,
        ErrorKind.AlreadyExists => StatusCode.AlreadyExists,
        ErrorKind.ResourceExhausted => StatusCode.ResourceExhausted,
        ErrorKind.Conflict => StatusCode.Aborted,
        _ => StatusCode.Unknown,
    };

    /// <summary>
    /// Finds the refusal inside wrappers: grain calls can surface it inside an
    /// AggregateException or as the inner exception of a runtime exception.
    /// </summary>
    internal static SnapshotServiceException? FindRefusal(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is SnapshotServiceException refusal)
            {
                return refusal;
            }
            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    if (FindRefusal(inner) is { } found)
                    {
                        return found;
                    }
                }
                return null;
            }
        }
        return null;
    }

    private RpcException ToRpcException(Exception exception, ServerCallContext context)
    {
        if (FindRefusal(exception) is { } refusal)
        {
            var metadata = new Metadata();
            if (refusal.Field is not null)
            {
                metadata.Add("snapshotservice-field", refusal.Field);
            }
            return new RpcException(new Status(ToStatusCode(refusal.Kind), refusal.Message), metadata);
        }
        if (exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
        {
            return new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled by the client."));
        }
        if (IsClusterTransition(exception))
        {
            // Retryable by every gRPC client's policy: the grain is being re-activated elsewhere.
            LogClusterTransition(context.Method, exception.GetBaseException().Message);
            return new RpcException(new Status(
                StatusCode.Unavailable,
                "A silo of the cluster stopped answering and its work is moving to another silo; retry in a few seconds."));
        }
        // The id ties the client's message to the log entry without leaking internals.
        var errorId = Guid.NewGuid().ToString("N")[..12];
        LogUnexpected(exception, context.Method, errorId);
        return new RpcException(new Status(StatusCode.Internal, $"An internal error occurred; the server log has the details (error id {errorId})."));
    }

    /// <summary>A grain call failed because its silo died or is unreachable (a failover in progress).</summary>
    internal static bool IsClusterTransition(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is SiloUnavailableException or OrleansMessageRejectionException or Orleans.Runtime.Messaging.ConnectionFailedException)
            {
                return true;
            }
        }
        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} failed during a cluster transition: {Reason}")]
    private partial void LogClusterTransition(string method, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected error in {Method} (error id {ErrorId})")]
    private partial void LogUnexpected(Exception exception, string method, string errorId);
}
