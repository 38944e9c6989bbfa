using SnapshotService.Log;

namespace SnapshotService.Retention;

/// <summary>Where the retention limits cut the history: the last seq that may be dropped.</summary>
internal static class RetentionBoundary
{
    /// <summary>
    /// The highest seq P such that history ≤ P lies outside every set limit (0 when nothing may go).
    /// With both limits set, history inside either one is kept.
    /// </summary>
    public static async Task<long> DroppableThroughAsync(ExportLogReader log, LogHead head, RetentionOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!options.PrunesHistory || head.CommitNumber == 0)
        {
            return 0;
        }
        var byCount = long.MaxValue;
        if (options.KeepLogCommits is { } keepCommits)
        {
            var lastDroppable = head.CommitNumber - keepCommits;
            byCount = lastDroppable < 1 ? 0 : (await RequireAsync(log, lastDroppable, cancellationToken).ConfigureAwait(false)).LastSeq;
        }
        var byTime = long.MaxValue;
        if (options.KeepLogFor is { } keepFor)
        {
            byTime = await LastSeqCommittedAtOrBeforeAsync(log, head, now - keepFor, cancellationToken).ConfigureAwait(false);
        }
        return Math.Min(byCount, byTime);
    }

    /// <summary>LastSeq of the last commit committed at or before <paramref name="cutoff"/> (binary search; commit times only grow).</summary>
    private static async Task<long> LastSeqCommittedAtOrBeforeAsync(ExportLogReader log, LogHead head, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        long lo = 0, hi = head.CommitNumber;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo + 1) / 2);
            if ((await RequireAsync(log, mid, cancellationToken).ConfigureAwait(false)).CommittedAt <= cutoff)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return lo == 0 ? 0 : (await RequireAsync(log, lo, cancellationToken).ConfigureAwait(false)).LastSeq;
    }

    private static async Task<CommitRecord> RequireAsync(ExportLogReader log, long number, CancellationToken cancellationToken) =>
        await log.ReadCommitAsync(number, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"Source '{log.SourceId}': commit {number} is missing below the head; retention stops (run verify-log).");
}
