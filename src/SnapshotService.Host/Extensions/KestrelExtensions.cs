using Microsoft.AspNetCore.Server.Kestrel.Core;
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
        // Kestrel's options are resolved while the app is built, before start-up validation runs.
        // Read the settings leniently here and skip a bad endpoint: validation then stops the
        // host at start with a message naming the setting, the same way as every other mistake.
        builder.Services.AddOptions<KestrelServerOptions>()
            .Configure<IConfiguration>((kestrel, configuration) =>
            {
                var options = configuration.ReadLeniently<SnapshotServiceHostOptions>(SnapshotServiceHostOptions.SectionName);
                Listen(kestrel, options.Http.Url, "SnapshotService:Http:Url", HttpProtocols.Http1);
                Listen(kestrel, options.Grpc.Url, "SnapshotService:Grpc:Url", HttpProtocols.Http2);
            });
        return builder;
    }

    private static void Listen(KestrelServerOptions kestrel, string url, string setting, HttpProtocols protocols)
    {
        if (ListenAddress.TryParse(url, setting, out _) is not { } address)
        {
            return;
        }
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
