using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;

namespace SnapshotService.Host.Auth;

/// <summary>
/// Enforces <see cref="RpcRoles"/> on every call of our services — gRPC and the JSON/HTTP routes
/// alike, since transcoded calls run through the same interceptors. No caller → UNAUTHENTICATED
/// (HTTP 401); a caller without the role → PERMISSION_DENIED (HTTP 403). grpc.health.v1 and
/// reflection stay anonymous (probes and tooling).
/// </summary>
internal sealed class AuthorizationInterceptor(IOptions<AuthSettings> settings) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Authorize(ServerCallContext context)
    {
        if (settings.Value.Mode == AuthMode.None || !context.Method.StartsWith(RpcRoles.ApiPackagePrefix, StringComparison.Ordinal))
        {
            return;
        }
        var user = context.GetHttpContext().User;
        if (user.Identity?.IsAuthenticated != true)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, settings.Value.Mode == AuthMode.ApiKey
                ? "authentication required: send an API key (Authorization: ApiKey <key>, or snapshotctl --api-key)."
                : "authentication required: send a bearer token for this API's audience (Authorization: Bearer <token>, or snapshotctl --token)."));
        }
        if (!RpcRoles.ByMethod.TryGetValue(context.Method, out var needed))
        {
            // Fail closed: an RPC nobody classified is not callable.
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"{context.Method} has no role assigned; it cannot be called until it is added to RpcRoles."));
        }
        var held = user.FindAll(user.Identities.First().RoleClaimType).Select(c => c.Value).ToList();
        if (!Roles.Satisfies(held, needed))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"{context.Method} requires role {needed}; the caller '{user.Identity.Name ?? "(unnamed)"}' has {(held.Count == 0 ? "no role" : "role " + string.Join(", ", held))}."));
        }
    }
}
