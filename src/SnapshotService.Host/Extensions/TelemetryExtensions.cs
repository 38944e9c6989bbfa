using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SnapshotService.Telemetry;

namespace SnapshotService.Host.Extensions;

internal static class TelemetryExtensions
{
    /// <summary>The environment variable that turns the OTLP exporter on (the OpenTelemetry standard name).</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Where Prometheus scrapes, on the HTTP port.</summary>
    public const string MetricsPath = "/metrics";

    // Orleans' own meter and activity sources (membership, messaging, grain calls).
    private const string OrleansMeter = "Microsoft.Orleans";
    private static readonly string[] OrleansActivitySources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    /// <summary>
    /// Metrics and traces: the service's own meter and activity source, Orleans', ASP.NET Core's
    /// (gRPC and HTTP server spans and request durations) and the .NET runtime's. Always scraped at
    /// <see cref="MetricsPath"/>; exported over OTLP when <see cref="OtlpEndpointVariable"/> is set
    /// (the exporter reads it and the other OTEL_* variables itself).
    /// </summary>
    public static IHostApplicationBuilder AddSnapshotServiceTelemetry(this IHostApplicationBuilder builder)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointVariable]);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("snapshotservice", serviceInstanceId: Environment.MachineName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(SnapshotServiceTelemetry.Name, OrleansMeter)
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddPrometheusExporter();
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(SnapshotServiceTelemetry.Name)
                    .AddSource(OrleansActivitySources)
                    // Health probes and scrapes would drown the useful spans.
                    .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsOperationalPath(context.Request.Path));
                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }
            });
        return builder;
    }

    /// <summary>Maps the Prometheus scrape endpoint.</summary>
    public static IEndpointRouteBuilder MapSnapshotServiceMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPrometheusScrapingEndpoint(MetricsPath);
        return endpoints;
    }

    private static bool IsOperationalPath(PathString path) =>
        path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz") || path.StartsWithSegments(MetricsPath);
}
