using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SnapshotService.Host.Health;

/// <summary>Healthy while the silo is active (backs <c>/healthz</c> and grpc.health.v1).</summary>
internal sealed class SiloHealthCheck(SiloReadiness readiness) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(readiness.IsActive
            ? HealthCheckResult.Healthy("The silo is active.")
            : HealthCheckResult.Unhealthy("The silo is not active (starting or stopping)."));
}
