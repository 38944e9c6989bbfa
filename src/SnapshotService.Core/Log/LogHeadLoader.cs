using SnapshotService.Storage;

namespace SnapshotService.Log;

/// <summary>
/// Recovery on open, shared by the writer and readers: start from the newest readable checkpoint
/// (via <c>checkpoints/latest.json</c>, else by listing <c>checkpoints/</c>), then read commit
/// records n+1, n+2, … until one is missing. The commit records are the truth; checkpoints only
/// shorten the walk, so a damaged checkpoint costs reads, never correctness.
/// </summary>
internal static class LogHeadLoader
{
    public static async Task<LogHead> LoadAsync(IObjectStore store, string sourceId, CancellationToken cancellationToken)
    {
        var head = await LoadCheckpointAsync(store, sourceId, cancellationToken).ConfigureAwait(false) ?? LogHead.Empty;
        while (true)
        {
            var next = await ReadCommitAsync(store, sourceId, head.CommitNumber + 1, cancellationToken).ConfigureAwait(false);
            if (next is null)
            {
                return head;
            }
            head = Advance(head, next, sourceId);
        }
    }

    /// <summary>Reads and parses commit <paramref name="number"/>; null when missing; <see cref="InvalidDataException"/> naming the key when unreadable.</summary>
    public static async Task<CommitRecord?> ReadCommitAsync(IObjectStore store, string sourceId, long number, CancellationToken cancellationToken)
    {
        var key = StoreKeys.Commit(sourceId, number);
        var bytes = await store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }
        var commit = LogJson.DecodeCommit(key, bytes);
        if (commit.Number != number)
        {
            throw new InvalidDataException($"Commit record '{key}' says it is commit {commit.Number}; refusing to open a log whose files were renamed or copied over each other.");
        }
        return commit;
    }

    /// <summary>The head after <paramref name="commit"/>; throws when the commit does not continue the head's seq range.</summary>
    public static LogHead Advance(LogHead head, CommitRecord commit, string sourceId)
    {
        if (commit.FirstSeq != head.LastSeq + 1)
        {
            throw new InvalidDataException($"Source '{sourceId}': commit {commit.Number} starts at seq {commit.FirstSeq} but the log before it ends at seq {head.LastSeq}. The log is damaged; run verify-log.");
        }
        var firstSourceTime = head.FirstSourceTime ?? (commit.RecordCount > 0 ? commit.FirstSourceTime : null);
        return new LogHead(commit.Number, commit.LastSeq, commit.Position, firstSourceTime, LogTime.Max(head.LastSourceTime, commit.LastSourceTime), commit.CommittedAt);
    }

    private static async Task<LogHead?> LoadCheckpointAsync(IObjectStore store, string sourceId, CancellationToken cancellationToken)
    {
        var pointerKey = StoreKeys.LatestCheckpoint(sourceId);
        var pointer = await store.ReadAsync(pointerKey, cancellationToken).ConfigureAwait(false);
        if (pointer is not null)
        {
            try
            {
                var latest = LogJson.DecodeLatestPointer(pointerKey, pointer);
                var head = await TryReadCheckpointAsync(store, sourceId, latest.CommitNumber, cancellationToken).ConfigureAwait(false);
                if (head is not null)
                {
                    return head;
                }
            }
            catch (InvalidDataException)
            {
                // A damaged pointer only costs a listing.
            }
        }
        var numbers = new List<long>();
        await foreach (var item in store.ListAsync(StoreKeys.CheckpointsPrefix(sourceId), cancellationToken).ConfigureAwait(false))
        {
            if (StoreKeys.TryParseLeadingNumber(item.Key, out var number))
            {
                numbers.Add(number);
            }
        }
        for (var i = numbers.Count - 1; i >= 0; i--)
        {
            var head = await TryReadCheckpointAsync(store, sourceId, numbers[i], cancellationToken).ConfigureAwait(false);
            if (head is not null)
            {
                return head;
            }
        }
        return null;
    }

    private static async Task<LogHead?> TryReadCheckpointAsync(IObjectStore store, string sourceId, long commitNumber, CancellationToken cancellationToken)
    {
        if (commitNumber <= 0)
        {
            return null;
        }
        var key = StoreKeys.Checkpoint(sourceId, commitNumber);
        var bytes = await store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }
        try
        {
            var checkpoint = LogJson.DecodeCheckpoint(key, bytes);
            return checkpoint.CommitNumber == commitNumber ? checkpoint.ToHead() : null;
        }
        catch (InvalidDataException)
        {
            return null; // fall back to an older checkpoint, or to commit 1
        }
    }
}
