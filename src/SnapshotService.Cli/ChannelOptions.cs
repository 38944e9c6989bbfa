using Grpc.Core;
using Grpc.Net.Client;

namespace SnapshotService.Cli;

/// <summary>The gRPC channel's options: the caller's API key or bearer token on every call.</summary>
internal static class ChannelOptions
{
    public static GrpcChannelOptions With(Uri address, string? apiKey, string? token)
    {
        var options = new GrpcChannelOptions();
        var header = apiKey is not null ? ("authorization", $"ApiKey {apiKey}") : token is not null ? ("authorization", $"Bearer {token}") : default;
        if (header == default)
        {
            return options;
        }
        var credentials = CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add(header.Item1, header.Item2);
            return Task.CompletedTask;
        });
        var secure = address.Scheme == Uri.UriSchemeHttps;
        options.Credentials = ChannelCredentials.Create(secure ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure, credentials);
        // Credentials over cleartext HTTP/2 are refused by default; a local or in-cluster endpoint
        // is plain http, and sending the key there is the user's explicit choice (--endpoint http://…).
        options.UnsafeUseInsecureChannelCallCredentials = !secure;
        return options;
    }
}
