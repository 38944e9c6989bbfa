using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SnapshotService.Reconciliation.Schedules;
using SnapshotService.Sources;
using SnapshotService.Storage;

namespace SnapshotService.Grains.Scheduling;

/// <summary>
/// When the silo becomes active, wakes the schedule grain of every configured source that has
/// schedules in the export layer. The in-memory reminder service forgets reminders on restart, so
/// without this a schedule would not fire again until someone called its API; the woken grain
/// registers its reminder again and catches up an occurrence missed while the silo was down.
/// </summary>
/// <remarks>
/// The store is resolved when the silo is active, not in the constructor: lifecycle participants
/// are built with the silo, before start-up validation of the options, and resolving the store
/// there would surface one configuration error instead of the full list.
/// </remarks>
internal sealed partial class ScheduleWaker(
    IGrainFactory grains,
    IChangeSourceFactory sources,
    IServiceProvider services,
    ILogger<ScheduleWaker> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ScheduleWaker), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        // In the background: listing every source's schedules must not hold up silo start.
        _loop = Task.Run(() => WakeAllAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task WakeAllAsync(CancellationToken stopping)
    {
        var schedules = new ScheduleStore(services.GetRequiredService<IObjectStore>());
        var pending = sources.SourceIds.ToList();
        while (pending.Count > 0 && !stopping.IsCancellationRequested)
        {
            foreach (var sourceId in pending.ToList())
            {
                try
                {
                    var listing = await schedules.ListAsync(sourceId, stopping).ConfigureAwait(false);
                    if (listing.Schedules.Count > 0)
                    {
                        var count = await grains.GetGrain<IReconciliationScheduleGrain>(sourceId).WakeAsync().ConfigureAwait(false);
                        LogWoken(sourceId, count);
                    }
                    pending.Remove(sourceId);
                }
                catch (Exception ex) when (!stopping.IsCancellationRequested)
                {
                    // Retried: a source whose schedules are never woken would silently stop reconciling.
                    LogWakeFailed(sourceId, RetryDelay.TotalSeconds, ex);
                }
            }
            if (pending.Count > 0)
            {
                try
                {
                    await Task.Delay(RetryDelay, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {SourceId}: {Count} reconciliation schedules woken after silo start")]
    private partial void LogWoken(string sourceId, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Source {SourceId}: reconciliation schedules could not be woken; retrying in {Seconds} s")]
    private partial void LogWakeFailed(string sourceId, double seconds, Exception error);
}
