using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using SnapshotService.Host.Configuration;

namespace SnapshotService.Host.Extensions;

internal static class KestrelExtensions
{
    /// <summary>
    /// Two listeners: HTTP/1.1 for JSON and /healthz, HTTP/2 cleartext (prior knowledge) for gRPC.
    /// One cleartext port cannot offer both: without TLS there is no ALPN to choose the protocol.
    /// </summary>
    public static IHostApplicationBuilder AddSnapshotServiceEndpoints(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<SnapshotServiceHostOptions>>((kestrel, hostOptions) =>
            {
                var options = hostOptions.Value;
                Listen(kestrel, options.Http.Url, "SnapshotService:Http:Url", HttpProtocols.Http1);
                Listen(kestrel, options.Grpc.Url, "SnapshotService:Grpc:Url", HttpProtocols.Http2);
            });
        return builder;
    }

    private static void Listen(KestrelServerOptions kestrel, string url, string setting, HttpProtocols protocols)
    {
        // Validated at start; a failure here means validation was bypassed.
        var address = ListenAddress.TryParse(url, setting, out var problem)
            ?? throw new InvalidOperationException(problem);
        if (address.AnyAddress)
        {
            kestrel.ListenAnyIP(address.Port, o => o.Protocols = protocols);
        }
        else
        {
            kestrel.Listen(address.Address!, address.Port, o => o.Protocols = protocols);
        }
    }
}
