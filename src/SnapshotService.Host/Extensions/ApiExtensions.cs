using SnapshotService.Host.Grpc;
using SnapshotService.Host.Health;

namespace SnapshotService.Host.Extensions;

internal static class ApiExtensions
{
    /// <summary>gRPC services with JSON transcoding, reflection and health checks.</summary>
    public static IHostApplicationBuilder AddSnapshotServiceApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddGrpc(options =>
            {
                options.Interceptors.Add<ErrorMappingInterceptor>();
                // Messages of refusals are written for users; exception details are not.
                options.EnableDetailedErrors = false;
            })
            .AddJsonTranscoding(options =>
            {
                // Canonical proto3 JSON: lowerCamelCase names, 64-bit integers as strings (so
                // JavaScript clients never lose precision), zero values written out.
                options.JsonSettings.WriteInt64sAsStrings = true;
            });
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks().AddCheck<SiloHealthCheck>("silo");
        return builder;
    }

    /// <summary>Maps the services, reflection, grpc.health.v1 and /healthz.</summary>
    public static IEndpointRouteBuilder MapSnapshotServiceApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<SourcesService>();
        endpoints.MapGrpcService<SnapshotsService>();
        endpoints.MapGrpcService<ReconciliationService>();
        endpoints.MapGrpcReflectionService();
        endpoints.MapGrpcHealthChecksService();
        endpoints.MapHealthChecks("/healthz");
        return endpoints;
    }
}
