namespace SnapshotService.State;

/// <summary>
/// When the source grain compacts its live state, bound from <c>SnapshotService:LiveState</c>.
/// Compaction costs about one pass over the live keys whatever the tail (random keys touch every
/// range), so it is spaced by a fraction of the live keys, and views and reconciliation replay the
/// tail since the last manifest meanwhile.
/// </summary>
public sealed class LiveStateMaintenanceOptions
{
    /// <summary>How often the source grain checks whether compaction is due (default 30 s; two small reads).</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Compact once the tail since the last manifest holds this fraction of the live keys (default 0.05).</summary>
    public double TailFractionOfLiveKeys { get; set; } = 0.05;

    /// <summary>… but never for a tail smaller than this (default 10,000 changes).</summary>
    public long MinTailChanges { get; set; } = 10_000;

    /// <summary>Compact any non-empty tail once the last manifest is this old (default 10 minutes).</summary>
    public TimeSpan MaxManifestAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Most changes one compaction step takes in (default 500,000). A long first tail is compacted
    /// in steps of this size, which bounds memory (the tail's keys are held while merging).
    /// </summary>
    public long MaxTailChangesPerStep { get; set; } = 500_000;

    /// <summary>Range files no kept manifest names are deleted once this old (default 10 minutes).</summary>
    public TimeSpan GarbageMinAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Range sizes, manifests kept, compression.</summary>
    public LiveStateOptions State { get; set; } = new();

    /// <summary>Returns the problems with these settings, each naming the setting.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (TailFractionOfLiveKeys is <= 0 or > 10)
        {
            problems.Add($"SnapshotService:LiveState:TailFractionOfLiveKeys must be above 0 and at most 10 (was {TailFractionOfLiveKeys}).");
        }
        if (CheckInterval <= TimeSpan.Zero)
        {
            problems.Add($"SnapshotService:LiveState:CheckInterval must be positive (was {CheckInterval}).");
        }
        if (MinTailChanges < 1)
        {
            problems.Add($"SnapshotService:LiveState:MinTailChanges must be at least 1 (was {MinTailChanges}).");
        }
        if (MaxManifestAge <= TimeSpan.Zero)
        {
            problems.Add($"SnapshotService:LiveState:MaxManifestAge must be positive (was {MaxManifestAge}).");
        }
        if (MaxTailChangesPerStep < 1_000)
        {
            problems.Add($"SnapshotService:LiveState:MaxTailChangesPerStep must be at least 1000 (was {MaxTailChangesPerStep}).");
        }
        if (GarbageMinAge < TimeSpan.Zero)
        {
            problems.Add($"SnapshotService:LiveState:GarbageMinAge must not be negative (was {GarbageMinAge}).");
        }
        try
        {
            State.ThrowIfInvalid();
        }
        catch (ArgumentException e)
        {
            problems.Add($"SnapshotService:LiveState:State: {e.Message}");
        }
        return problems;
    }
}
