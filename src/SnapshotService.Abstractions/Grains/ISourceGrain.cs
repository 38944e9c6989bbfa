using Orleans.Concurrency;

namespace SnapshotService.Grains;

/// <summary>
/// One grain per source (keyed by source id): owns the capture loop and is the only writer of the
/// source's export log in a healthy cluster (commit fencing stops a second one).
/// </summary>
[Alias("SnapshotService.ISourceGrain")]
public interface ISourceGrain : IGrainWithStringKey
{
    /// <summary>Activates the grain and starts capture unless the source is paused. Idempotent.</summary>
    [Alias("EnsureStarted")]
    Task<SourceStatus> EnsureStartedAsync();

    /// <summary>Current status. Interleaves with other calls so a long verify never blocks status pages.</summary>
    [Alias("GetStatus")]
    [AlwaysInterleave]
    Task<SourceStatus> GetStatusAsync();

    /// <summary>Stops reading, commits what was read, and keeps the position. Survives restarts.</summary>
    [Alias("Pause")]
    Task<SourceStatus> PauseAsync();

    /// <summary>Restarts capture from the last committed position (also after a failure).</summary>
    [Alias("Resume")]
    Task<SourceStatus> ResumeAsync();

    /// <summary>
    /// Creates an anchor. For "latest" it first commits what capture has read, so the anchor
    /// never points past a committed sequence number.
    /// </summary>
    [Alias("CreateSnapshot")]
    Task<SnapshotAnchor> CreateSnapshotAsync(CreateSnapshotCommand command);

    /// <summary>
    /// Commits repair records through this source's single commit path: between capture commits
    /// while capture runs, straight into the log while it is paused. Keys capture has meanwhile
    /// written at the same or a newer version are skipped, and the written keys are guarded so
    /// late captured changes older than the repair are dropped (invariant 6).
    /// </summary>
    /// <remarks>Refused with FailedPrecondition while the source is starting or has failed (the reason is named).</remarks>
    [Alias("Repair")]
    Task<RepairOutcome> RepairAsync(RepairCommand command);

    /// <summary>
    /// Asks the running source's adapter for a backfill (whole collection or keys). The request is
    /// durable with the next commit; progress shows in <see cref="SourceStatus.Backfill"/> and
    /// <see cref="SourceStatus.RecentEvents"/>. Refused (FAILED_PRECONDITION) when the source is not
    /// running or its kind cannot backfill; bad keys are INVALID_ARGUMENT naming <c>keys</c>.
    /// </summary>
    [Alias("Backfill")]
    Task<SourceStatus> BackfillAsync(BackfillCommand command);

    /// <summary>
    /// Sets or removes the source's JSON Schema contract; it applies to the next commit (no
    /// restart) and to every silo. An unusable schema or an unknown policy is INVALID_ARGUMENT.
    /// </summary>
    [Alias("SetContract")]
    Task SetContractAsync(SetContractCommand command);

    /// <summary>
    /// Retries dead letters by id through this source's commit path (see DeadLetterRetry): those
    /// that pass now are written, those superseded by a newer capture are dropped, the rest stay.
    /// </summary>
    [Alias("RetryDeadLetters")]
    Task<IReadOnlyList<DeadLetterRetryResult>> RetryDeadLettersAsync(IReadOnlyList<string> ids);

    /// <summary>Re-reads the export log from the store and checks it (read-only, so it may interleave).</summary>
    [Alias("VerifyLog")]
    [AlwaysInterleave]
    Task<LogVerificationReport> VerifyLogAsync();
}
