using Microsoft.Extensions.Diagnostics.HealthChecks;
using SnapshotService.Grains;
using SnapshotService.Sources;

namespace SnapshotService.Host.Health;

/// <summary>
/// Ready while no configured source is failed, invalidated or degraded (behind its latency budget).
/// A paused source is fine: a user chose that. The description names every source that is not.
/// </summary>
internal sealed class SourcesHealthCheck(IGrainFactory grains, IChangeSourceFactory sources) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var statuses = await Task.WhenAll(sources.SourceIds.Select(ReadAsync));
        var problems = statuses.Where(s => s.Problem is not null).Select(s => $"{s.SourceId}: {s.Problem}").ToList();
        var data = statuses.ToDictionary(s => s.SourceId, s => (object)s.State);
        return problems.Count == 0
            ? HealthCheckResult.Healthy($"{statuses.Length} source(s) capturing or paused.", data)
            : HealthCheckResult.Unhealthy(string.Join("; ", problems), data: data);
    }

    private async Task<(string SourceId, string State, string? Problem)> ReadAsync(string sourceId)
    {
        try
        {
            var status = await grains.GetGrain<ISourceGrain>(sourceId).GetStatusAsync().WaitAsync(Timeout);
            var state = status.State.ToString().ToLowerInvariant();
            return status.State switch
            {
                SourceState.Failed or SourceState.Invalidated => (sourceId, state, $"{state}: {status.FailureReason}"),
                SourceState.Degraded => (sourceId, state, $"degraded: lag {status.LagSeconds:F1} s, position age {status.PositionAgeSeconds:F1} s, budget {status.LagBudgetSeconds:F0} s"),
                _ => (sourceId, state, null),
            };
        }
        catch (Exception ex)
        {
            return (sourceId, "unknown", $"status unavailable: {ex.Message}");
        }
    }
}
