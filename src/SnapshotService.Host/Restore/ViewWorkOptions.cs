namespace SnapshotService.Host.Restore;

/// <summary>Limits of materialize and restore calls on one host, bound from <c>SnapshotService:Views</c>.</summary>
public sealed class ViewWorkOptions
{
    /// <summary>
    /// Materializations and restores one host runs at once (default 2). Each holds about two
    /// parts' documents in memory (~60 MB for 1 KB documents) and a core; calls beyond the limit
    /// are refused with RESOURCE_EXHAUSTED rather than queued, so clients retry with backoff.
    /// </summary>
    public int MaxConcurrentRuns { get; set; } = 2;

    /// <summary>Returns the problems with these settings, each naming the setting.</summary>
    public IReadOnlyList<string> Validate() =>
        MaxConcurrentRuns is < 1 or > 64
            ? [$"SnapshotService:Views:MaxConcurrentRuns must be between 1 and 64 (was {MaxConcurrentRuns})."]
            : [];
}
