using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using SnapshotService.Host.Grpc;
using SnapshotService.Host.Health;

namespace SnapshotService.Host.Extensions;

internal static class ApiExtensions
{
    /// <summary>The gRPC services whose grpc.health.v1 status is readiness (store reachable, sources healthy).</summary>
    private static readonly string[] ReadyServices = ["snapshotservice.v1.Sources", "snapshotservice.v1.Snapshots", "snapshotservice.v1.Reconciliation", "snapshotservice.v1.Schemas", "snapshotservice.v1.DeadLetters"];

    /// <summary>gRPC services with JSON transcoding, reflection and health checks.</summary>
    public static IHostApplicationBuilder AddSnapshotServiceApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddGrpc(options =>
            {
                options.Interceptors.Add<ErrorMappingInterceptor>();
                // Inside the error mapping: its UNAUTHENTICATED / PERMISSION_DENIED pass through unchanged.
                options.Interceptors.Add<Auth.AuthorizationInterceptor>();
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
        builder.Services.AddGrpcHealthChecks(options =>
            {
                // "" (the whole server) is liveness; each API service is readiness.
                options.Services.Clear();
                options.Services.Map("", context => context.Tags.Contains(HealthTags.Live));
                foreach (var service in ReadyServices)
                {
                    options.Services.Map(service, context => context.Tags.Contains(HealthTags.Ready));
                }
            })
            .AddCheck<SiloHealthCheck>("silo", tags: [HealthTags.Live, HealthTags.Ready])
            .AddCheck<ExportStoreHealthCheck>("export_store", tags: [HealthTags.Ready])
            .AddCheck<SourcesHealthCheck>("sources", tags: [HealthTags.Ready]);
        return builder;
    }

    /// <summary>Maps the services, reflection, grpc.health.v1 and /healthz.</summary>
    public static IEndpointRouteBuilder MapSnapshotServiceApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<SourcesService>();
        endpoints.MapGrpcService<SnapshotsService>();
        endpoints.MapGrpcService<ReconciliationService>();
        endpoints.MapGrpcService<SchemasService>();
        endpoints.MapGrpcService<DeadLettersService>();
        endpoints.MapGrpcReflectionService();
        endpoints.MapGrpcHealthChecksService();
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(HealthTags.Live) });
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(HealthTags.Ready),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        });
        return endpoints;
    }
}
