namespace SnapshotService.Capture;

/// <summary>
/// How a source's capture pipeline batches changes into commits. Bound from
/// <c>SnapshotService:Capture</c>. Bigger batches mean fewer commit records (cheaper, faster
/// recovery) but more changes re-read after a crash and a longer time until a change is durable.
/// </summary>
public sealed class CaptureOptions
{
    /// <summary>Most changes asked of the source per read.</summary>
    public int ReadBatchSize { get; set; } = 1_000;

    /// <summary>Commit when this many changes are pending.</summary>
    public int MaxCommitChanges { get; set; } = 5_000;

    /// <summary>
    /// Upserts with a larger document are set aside in <c>deadletter/</c> (reason <c>too_large</c>)
    /// instead of being exported; capture moves on. Default 16 MiB (MongoDB's document limit).
    /// </summary>
    public int MaxDocumentBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// The inferred schema is saved (<c>schema/{seq}.json</c>) after this many changes, and when
    /// capture stops; a restart or a snapshot's schema replays at most this many log records.
    /// </summary>
    public int SchemaSaveInterval { get; set; } = 10_000;

    /// <summary>Commit when this many document bytes are pending.</summary>
    public int MaxCommitBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Commit at least this often while changes are pending, so a quiet source still becomes durable quickly.</summary>
    public TimeSpan MaxCommitDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How often a position that moved without changes (an idle source's fresh resume token) is
    /// committed. Keeps the saved position young (inside the oplog window) without empty-commit spam.
    /// </summary>
    public TimeSpan PositionOnlyCommitInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Read batches buffered between the reader and the committer. When full, the reader waits
    /// (backpressure), so a slow store slows reads instead of growing memory.
    /// </summary>
    public int ChannelCapacity { get; set; } = 8;

    /// <summary>
    /// How long a "latest" snapshot waits for capture to pass the source's consistent cut (sources
    /// implementing <see cref="SnapshotService.Sources.IConsistentCut"/>, e.g. Cosmos DB feed ranges
    /// read in parallel) before it fails with FAILED_PRECONDITION.
    /// </summary>
    public TimeSpan SnapshotCutTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The fallback for a fenced writer that cannot prove the writer that fenced it is gone. It
    /// takes over at once when it can (that writer recorded its retirement, or this cluster
    /// declared its silo dead: docs/architecture.md, Fencing); a writer this cluster cannot see
    /// (another cluster on the same export store, an older version without writer records) is
    /// taken to be gone only once the log has not changed for this long. Fencing keeps a wrong
    /// guess safe: if the other writer comes back, one of the two is fenced again.
    /// </summary>
    public TimeSpan FencedTakeoverAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A source whose capture failed (the store or the source raised an error) is restarted after
    /// this delay, doubling per consecutive failure up to <see cref="FailedRestartMaxDelay"/>, so
    /// an export store or source outage heals by itself. The state stays <c>failed</c>, with the
    /// reason, between attempts. Fenced, invalidated and unconfigured sources are not restarted.
    /// </summary>
    public TimeSpan FailedRestartMinDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest delay between two restarts of a failing source.</summary>
    public TimeSpan FailedRestartMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The latency budget of a source: when its lag (newest source change to newest commit) or its
    /// position age exceeds this, the source reports <c>degraded</c>, /readyz fails, and a warning
    /// is logged once; all clear by themselves when capture catches up.
    /// </summary>
    public TimeSpan LagBudget { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Per-source overrides of <see cref="LagBudget"/>, by source id.</summary>
    public Dictionary<string, TimeSpan> LagBudgetBySource { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The budget that applies to <paramref name="sourceId"/>.</summary>
    public TimeSpan LagBudgetFor(string sourceId) =>
        LagBudgetBySource.TryGetValue(sourceId, out var budget) ? budget : LagBudget;

    /// <summary>Returns the problems with these settings, each naming the setting.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (ReadBatchSize is < 1 or > 100_000)
        {
            problems.Add($"SnapshotService:Capture:ReadBatchSize must be between 1 and 100000 (was {ReadBatchSize}).");
        }
        if (MaxCommitChanges is < 1 or > 1_000_000)
        {
            problems.Add($"SnapshotService:Capture:MaxCommitChanges must be between 1 and 1000000 (was {MaxCommitChanges}).");
        }
        if (MaxDocumentBytes < 1024)
        {
            problems.Add($"SnapshotService:Capture:MaxDocumentBytes must be at least 1024 (was {MaxDocumentBytes}).");
        }
        if (SchemaSaveInterval is < 1 or > 10_000_000)
        {
            problems.Add($"SnapshotService:Capture:SchemaSaveInterval must be between 1 and 10000000 (was {SchemaSaveInterval}).");
        }
        if (MaxCommitBytes < 1024)
        {
            problems.Add($"SnapshotService:Capture:MaxCommitBytes must be at least 1024 (was {MaxCommitBytes}).");
        }
        if (MaxCommitDelay <= TimeSpan.Zero || MaxCommitDelay > TimeSpan.FromMinutes(5))
        {
            problems.Add($"SnapshotService:Capture:MaxCommitDelay must be between 00:00:00.001 and 00:05:00 (was {MaxCommitDelay}).");
        }
        if (PositionOnlyCommitInterval <= TimeSpan.Zero || PositionOnlyCommitInterval > TimeSpan.FromHours(1))
        {
            problems.Add($"SnapshotService:Capture:PositionOnlyCommitInterval must be between 00:00:00.001 and 01:00:00 (was {PositionOnlyCommitInterval}).");
        }
        if (SnapshotCutTimeout <= TimeSpan.Zero || SnapshotCutTimeout > TimeSpan.FromMinutes(10))
        {
            problems.Add($"SnapshotService:Capture:SnapshotCutTimeout must be between 00:00:00.001 and 00:10:00 (was {SnapshotCutTimeout}).");
        }
        if (FencedTakeoverAfter < TimeSpan.FromSeconds(1) || FencedTakeoverAfter > TimeSpan.FromDays(1))
        {
            problems.Add($"SnapshotService:Capture:FencedTakeoverAfter must be between 00:00:01 and 1.00:00:00 (was {FencedTakeoverAfter}).");
        }
        if (FailedRestartMinDelay < TimeSpan.FromMilliseconds(100) || FailedRestartMinDelay > TimeSpan.FromHours(1))
        {
            problems.Add($"SnapshotService:Capture:FailedRestartMinDelay must be between 00:00:00.1 and 01:00:00 (was {FailedRestartMinDelay}).");
        }
        if (FailedRestartMaxDelay < FailedRestartMinDelay || FailedRestartMaxDelay > TimeSpan.FromDays(1))
        {
            problems.Add($"SnapshotService:Capture:FailedRestartMaxDelay must be at least FailedRestartMinDelay and at most 1.00:00:00 (was {FailedRestartMaxDelay}).");
        }
        if (LagBudget < TimeSpan.FromSeconds(1))
        {
            problems.Add($"SnapshotService:Capture:LagBudget must be at least 00:00:01 (was {LagBudget}).");
        }
        foreach (var (sourceId, budget) in LagBudgetBySource)
        {
            if (budget < TimeSpan.FromSeconds(1))
            {
                problems.Add($"SnapshotService:Capture:LagBudgetBySource:{sourceId} must be at least 00:00:01 (was {budget}).");
            }
        }
        if (ChannelCapacity is < 1 or > 1024)
        {
            problems.Add($"SnapshotService:Capture:ChannelCapacity must be between 1 and 1024 (was {ChannelCapacity}).");
        }
        return problems;
    }
}
