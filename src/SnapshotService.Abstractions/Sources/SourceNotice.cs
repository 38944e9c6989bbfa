namespace SnapshotService.Sources;

/// <summary>What an adapter reports about its stream besides changes.</summary>
public enum SourceNoticeKind
{
    /// <summary>
    /// The source no longer holds the history after the saved position (MongoDB
    /// ChangeStreamHistoryLost, code 286). The adapter restarts its stream from now and begins a
    /// re-backfill; changes in between may be missing until it and a full reconciliation finish.
    /// </summary>
    HistoryLost = 0,

    /// <summary>A backfill began (first start, on request, or after <see cref="HistoryLost"/>).</summary>
    BackfillStarted = 1,

    /// <summary>
    /// A backfill finished: every chunk was read and committed. When it was started by
    /// <see cref="HistoryLost"/>, <see cref="SourceNotice.AfterHistoryLoss"/> is true and the source
    /// grain starts a full reconciliation with repair.
    /// </summary>
    BackfillCompleted = 2,
}

/// <summary>An event an adapter reports with a <see cref="ChangeBatch"/>.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Message">A sentence for logs and GetSource, e.g. "oplog no longer holds the resume token …".</param>
/// <param name="AfterHistoryLoss">True for a backfill started or finished because history was lost.</param>
public sealed record SourceNotice(SourceNoticeKind Kind, string Message, bool AfterHistoryLoss = false);
