namespace SnapshotService.Reconciliation;

/// <summary>How reconciliation runs, bound from <c>SnapshotService:Reconciliation</c>.</summary>
public sealed class ReconciliationOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "SnapshotService:Reconciliation";

    /// <summary>
    /// K: incremental runs per full rotation (default 64). Each incremental run scans ⌈ranges/K⌉
    /// ranges besides the changed keys, so every range is verified at least every K runs; with
    /// runs every 15 minutes, 64 covers the key space every 16 hours at ~1.6% of a full run's
    /// reads, which keeps a run with 1% of keys changed under 5% of a full run (docs/benchmarks.md;
    /// 32 measured 6.6%). Lower it for faster coverage, or add a daily full schedule.
    /// </summary>
    public int RotationRuns { get; set; } = 64;

    /// <summary>
    /// Most changed keys an incremental run checks by point reads (default 100,000). Past that,
    /// it scans the ranges those changes dirtied instead (point reads stop paying off).
    /// </summary>
    public int MaxDirtyKeys { get; set; } = 100_000;

    /// <summary>Most source documents read per second by one run (0 = unlimited, the default): bounds the load (RU, IOPS) a run puts on the source.</summary>
    public double SourceDocumentsPerSecond { get; set; }

    /// <summary>Per-source overrides of <see cref="SourceDocumentsPerSecond"/>, keyed by source id.</summary>
    public Dictionary<string, double> SourceDocumentsPerSecondBySource { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// How long a run waits, per batch of keys found different, for capture to commit past the
    /// source's re-read of them (default 30 s) before it reports them unsettled. A run compares the
    /// export at a seq with the source as it is later, so on a live source the keys changed in
    /// between differ until capture has caught up: they are settled, never counted as drift. On a
    /// healthy source settling costs about the capture lag; set this above the lag you tolerate.
    /// </summary>
    public TimeSpan SettleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The settle settings of a run (<see cref="SettleTimeout"/>, polling every 100 ms, 3 re-reads).</summary>
    public DriftSettleOptions Settle => DriftSettleOptions.Default with { Timeout = SettleTimeout };

    /// <summary>The read rate limit of <paramref name="sourceId"/> (0 = unlimited).</summary>
    public double RateFor(string sourceId) =>
        SourceDocumentsPerSecondBySource.TryGetValue(sourceId, out var rate) ? rate : SourceDocumentsPerSecond;

    /// <summary>Returns the problems with these settings, each naming the setting.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (RotationRuns is < 1 or > 10_000)
        {
            problems.Add($"{SectionName}:RotationRuns must be between 1 and 10000 (was {RotationRuns}).");
        }
        if (MaxDirtyKeys < 0)
        {
            problems.Add($"{SectionName}:MaxDirtyKeys must not be negative (was {MaxDirtyKeys}; 0 turns point reads off).");
        }
        if (SettleTimeout < TimeSpan.FromSeconds(1) || SettleTimeout > TimeSpan.FromMinutes(10))
        {
            problems.Add($"{SectionName}:SettleTimeout must be between 00:00:01 and 00:10:00 (was {SettleTimeout}); it bounds how long a run waits for capture to pass a re-read of the keys it found different.");
        }
        if (!IsRate(SourceDocumentsPerSecond))
        {
            problems.Add($"{SectionName}:SourceDocumentsPerSecond must be 0 (unlimited) or a positive number (was {SourceDocumentsPerSecond}).");
        }
        foreach (var (id, rate) in SourceDocumentsPerSecondBySource)
        {
            if (!IsRate(rate))
            {
                problems.Add($"{SectionName}:SourceDocumentsPerSecondBySource:{id} must be 0 (unlimited) or a positive number (was {rate}).");
            }
        }
        return problems;
    }

    private static bool IsRate(double rate) => rate >= 0 && !double.IsNaN(rate) && !double.IsInfinity(rate);
}
