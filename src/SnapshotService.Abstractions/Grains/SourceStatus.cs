namespace SnapshotService.Grains;

/// <summary>The capture state of a source.</summary>
public enum SourceState
{
    /// <summary>The log is being opened and recovered.</summary>
    Starting = 0,

    /// <summary>Capture is running.</summary>
    Running = 1,

    /// <summary>Capture was paused by a user; the position is kept.</summary>
    Paused = 2,

    /// <summary>Capture stopped on an error; <see cref="SourceStatus.FailureReason"/> says why.</summary>
    Failed = 3,

    /// <summary>
    /// The source's stream ended for good (collection dropped or renamed, change stream
    /// invalidated); the reason says what happened. Capture stops; resume after fixing the source.
    /// </summary>
    Invalidated = 4,

    /// <summary>
    /// Capture runs but is behind its latency budget: lag or position age above
    /// <c>SnapshotService:Capture:LagBudget</c>. Clears by itself when capture catches up.
    /// </summary>
    Degraded = 5,
}

/// <summary>What GetSource shows.</summary>
[GenerateSerializer, Immutable]
[Alias("SnapshotService.SourceStatus")]
public sealed record SourceStatus(
    [property: Id(0)] string SourceId,
    [property: Id(1)] string Kind,
    [property: Id(2)] SourceState State,
    [property: Id(3)] string? FailureReason,
    [property: Id(4)] long CommittedSeq,
    [property: Id(5)] long CommitCount,
    [property: Id(6)] string PositionSummary,
    [property: Id(7)] double LagSeconds,
    [property: Id(8)] DateTimeOffset? LastCommitTime,
    [property: Id(9)] double ChangesPerSecond,
    [property: Id(10)] string Description)
{
    /// <summary>
    /// How long until the saved position falls out of the source's history (MongoDB: the oplog
    /// window left), or null when unknown or not applicable.
    /// </summary>
    [Id(11)]
    public double? HistoryHeadroomSeconds { get; init; }

    /// <summary>A one-line backfill summary while one runs, else null.</summary>
    [Id(12)]
    public string? Backfill { get; init; }

    /// <summary>The newest events of the source's stream (history lost, backfills, automatic reconciliations), newest first.</summary>
    [Id(13)]
    public IReadOnlyList<SourceEvent> RecentEvents { get; init; } = [];

    /// <summary>The silo whose activation runs this source (host:port), so operators see where capture lives in a cluster.</summary>
    [Id(14)]
    public string Silo { get; init; } = "";

    /// <summary>Seconds since the committed position last advanced while the source had newer changes (0 when caught up).</summary>
    [Id(16)]
    public double PositionAgeSeconds { get; init; }

    /// <summary>The latency budget of this source: above it (lag or position age), the state is <see cref="SourceState.Degraded"/>.</summary>
    [Id(17)]
    public double LagBudgetSeconds { get; init; }

    /// <summary>The export-log writer id of that activation (commit records carry it; a fence message names the winner's).</summary>
    [Id(15)]
    public string WriterId { get; init; } = "";

    /// <summary>Per feed range (Cosmos DB): how far it is behind; empty for single-stream sources.</summary>
    [Id(18)]
    public IReadOnlyList<SnapshotService.Sources.SourceRangeLag> RangeLags { get; init; } = [];
}

/// <summary>An event of a source's stream shown by GetSource.</summary>
/// <param name="At">When the service saw it.</param>
/// <param name="Kind">"history_lost", "backfill_started", "backfill_completed", "reconciliation_started", "reconciliation_failed", "fenced_takeover" or "capture_restarted".</param>
/// <param name="Message">What happened, in a sentence.</param>
[GenerateSerializer, Immutable]
[Alias("SnapshotService.SourceEvent")]
public sealed record SourceEvent(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Kind,
    [property: Id(2)] string Message);
