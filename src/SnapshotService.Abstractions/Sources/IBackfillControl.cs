namespace SnapshotService.Sources;

/// <summary>
/// Implemented by adapters that can backfill (read the collection in chunks, lock-free, merged
/// with the stream watermark-style). The source grain calls it for the Backfill API; adapters also
/// backfill on their own on first start and after history loss.
/// </summary>
public interface IBackfillControl
{
    /// <summary>
    /// Asks for a backfill of the whole collection (<paramref name="keys"/> null) or of the given
    /// keys. The adapter folds the request into the position it returns from its next
    /// <see cref="IChangeSource.ReadChangesAsync"/>, so it is durable with the next commit, and
    /// reports <see cref="SourceNoticeKind.BackfillStarted"/> then. A request while a backfill runs
    /// is queued after it.
    /// </summary>
    void RequestBackfill(IReadOnlyList<string>? keys);
}
