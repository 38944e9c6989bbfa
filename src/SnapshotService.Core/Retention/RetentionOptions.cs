namespace SnapshotService.Retention;

/// <summary>
/// How much export history a source keeps, bound from <c>SnapshotService:Retention</c>. History
/// (log segments and the live-state checkpoints inside it) older than both limits may be pruned,
/// except what a retained snapshot needs; with neither limit set nothing is pruned (the default).
/// Commit records are never pruned: they are ~0.5 KB each and carry the gap-free seq audit trail.
/// </summary>
public sealed class RetentionOptions
{
    /// <summary>
    /// Keep history committed within this period (e.g. <c>7.00:00:00</c>); null keeps it forever
    /// unless <see cref="KeepLogCommits"/> is set. New snapshots can be anchored (at_sequence /
    /// at_time) only within the kept history.
    /// </summary>
    public TimeSpan? KeepLogFor { get; set; }

    /// <summary>Keep the history of the newest this many commits; null keeps all unless <see cref="KeepLogFor"/> is set.</summary>
    public long? KeepLogCommits { get; set; }

    /// <summary>
    /// Unpublished view files (a crashed or abandoned materialization) are deleted once this old
    /// (default 1 day: long enough that no materialization still running can own them).
    /// </summary>
    public TimeSpan OrphanViewMinAge { get; set; } = TimeSpan.FromDays(1);

    /// <summary>True when some history may be pruned.</summary>
    public bool PrunesHistory => KeepLogFor is not null || KeepLogCommits is not null;

    /// <summary>Returns the problems with these settings, each naming the setting.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (KeepLogFor is { } keepFor && keepFor < TimeSpan.FromMinutes(1))
        {
            problems.Add($"SnapshotService:Retention:KeepLogFor must be at least 00:01:00 (was {keepFor}); leave it empty to keep history forever.");
        }
        if (KeepLogCommits is < 1)
        {
            problems.Add($"SnapshotService:Retention:KeepLogCommits must be at least 1 (was {KeepLogCommits}); leave it empty to keep every commit's history.");
        }
        if (OrphanViewMinAge < TimeSpan.FromMinutes(1))
        {
            problems.Add($"SnapshotService:Retention:OrphanViewMinAge must be at least 00:01:00 (was {OrphanViewMinAge}); a running materialization's parts must not be collected.");
        }
        return problems;
    }
}
