using Microsoft.Extensions.Diagnostics.HealthChecks;
using SnapshotService.Storage;

namespace SnapshotService.Host.Health;

/// <summary>Ready while the export store answers a small read within a few seconds.</summary>
internal sealed class ExportStoreHealthCheck(IObjectStore store) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            // Any key works: the answer (exists or not) proves the store is reachable and readable.
            await store.ExistsAsync("health-probe", timeout.Token);
            return HealthCheckResult.Healthy($"The export store {store.Description} answers.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The export store {store.Description} does not answer: {ex.Message}");
        }
    }
}
