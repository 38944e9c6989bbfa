using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SnapshotService.Sources;

namespace SnapshotService.Grains;

/// <summary>
/// Keeps every configured source's grain active: once when the silo becomes active, then every
/// <see cref="SourceSupervisorOptions.Period"/>, and at once when a silo of the cluster is declared
/// dead (its source grains died with it; a call here re-activates them on a survivor). Without it a
/// source would only start when someone called its API.
/// </summary>
internal sealed partial class SourceSupervisor(
    IGrainFactory grains,
    IChangeSourceFactory sources,
    IClusterMembershipService membership,
    IOptions<SourceSupervisorOptions> options,
    ILogger<SourceSupervisor> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private Task _loop = Task.CompletedTask;
    private Task _watch = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SourceSupervisor), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => SuperviseAsync(_stopping.Token), CancellationToken.None);
        _watch = Task.Run(() => WakeOnSiloDeathAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_loop, _watch).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task SuperviseAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var activationFailed = false;
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
                    activationFailed = true;
                }
            }
            try
            {
                // Right after a silo dies a call may still be routed to it and fail: try again soon.
                var period = options.Value.Period;
                await _wake.WaitAsync(activationFailed && period > RetryAfterFailure ? RetryAfterFailure : period, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Starts a supervision round whenever the membership table declares a silo dead.</summary>
    private async Task WakeOnSiloDeathAsync(CancellationToken stopping)
    {
        var dead = new HashSet<SiloAddress>();
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stopping))
            {
                var newlyDead = snapshot.Members.Values
                    .Where(member => member.Status == SiloStatus.Dead && dead.Add(member.SiloAddress))
                    .Select(member => member.SiloAddress)
                    .ToList();
                if (newlyDead.Count > 0)
                {
                    LogSiloDeclaredDead(string.Join(", ", newlyDead));
                    Wake();
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A round is already due.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {SourceId} is failed: {Reason}")]
    private partial void LogSourceFailed(string sourceId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Source {SourceId} could not be activated")]
    private partial void LogActivationFailed(string sourceId, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo(s) {Silos} declared dead; re-activating sources now")]
    private partial void LogSiloDeclaredDead(string silos);
}
