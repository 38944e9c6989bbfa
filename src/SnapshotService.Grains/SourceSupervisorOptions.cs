namespace SnapshotService.Grains;

/// <summary>How often each silo makes sure every configured source's grain is active.</summary>
public sealed class SourceSupervisorOptions
{
    /// <summary>
    /// The period of the keep-alive round. A silo declared dead also starts a round at once on
    /// every survivor, so failover does not wait for this; the period bounds recovery from
    /// anything else that stopped a grain (a deactivation, a failed activation).
    /// </summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Problems with the settings, naming each one; empty when valid.</summary>
    public IReadOnlyList<string> Validate() =>
        Period < TimeSpan.FromMilliseconds(100) || Period > TimeSpan.FromHours(1)
            ? [$"SnapshotService:SourceSupervisor:Period must be between 00:00:00.1 and 01:00:00 (was {Period})."]
            : [];
}
