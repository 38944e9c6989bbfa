using Microsoft.Extensions.Logging;
using SnapshotService.Sources;

namespace SnapshotService.Grains;

/// <summary>
/// Keeps every configured source's grain active: once when the silo becomes active, then every
/// <see cref="Period"/>. Without it a source would only start when someone called its API, and a
/// grain lost with a silo would stay down until then.
/// </summary>
internal sealed partial class SourceSupervisor(
    IGrainFactory grains,
    IChangeSourceFactory sources,
    ILogger<SourceSupervisor> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(30);
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SourceSupervisor), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => SuperviseAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task SuperviseAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            foreach (var sourceId in sources.SourceIds)
            {
                try
                {
                    var status = await grains.GetGrain<ISourceGrain>(sourceId).EnsureStartedAsync();
                    if (status.State is SourceState.Failed or SourceState.Invalidated)
                    {
                        LogSourceFailed(sourceId, status.FailureReason ?? "unknown");
                    }
                }
                catch (Exception ex) when (!stopping.IsCancellationRequested)
                {
                    LogActivationFailed(sourceId, ex);
                }
            }
            try
            {
                await Task.Delay(Period, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {SourceId} is failed: {Reason}")]
    private partial void LogSourceFailed(string sourceId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Source {SourceId} could not be activated")]
    private partial void LogActivationFailed(string sourceId, Exception error);
}
