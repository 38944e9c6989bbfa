namespace SnapshotService.Host.Health;

/// <summary>
/// Tracks whether the co-hosted silo is active. Kestrel starts listening before the silo has
/// joined its cluster, so health must not report healthy until grains can actually be called.
/// </summary>
internal sealed class SiloReadiness : ILifecycleParticipant<ISiloLifecycle>
{
    private volatile bool _active;

    public bool IsActive => _active;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(
            nameof(SiloReadiness),
            ServiceLifecycleStage.Active,
            _ =>
            {
                _active = true;
                return Task.CompletedTask;
            },
            _ =>
            {
                // Stop reporting healthy as soon as shutdown begins, so load balancers drain us.
                _active = false;
                return Task.CompletedTask;
            });
}
