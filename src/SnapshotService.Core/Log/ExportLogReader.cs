using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using SnapshotService.Storage;

namespace SnapshotService.Log;

/// <summary>Reads a source's export log; safe to use while a writer appends.</summary>
/// <remarks>
/// Commit records are immutable once written, so the reader caches the ones it has parsed
/// (bounded); binary searches over commit numbers then cost a few store reads the first time and
/// none after. Missing commits are never cached, so a reader sees new commits as they appear.
/// </remarks>
public sealed class ExportLogReader
{
    private const int MaxCachedCommits = 16_384;
    private readonly ConcurrentDictionary<long, CommitRecord> _commits = new();

    /// <summary>Creates a reader over <paramref name="store"/> for <paramref name="sourceId"/>.</summary>
    public ExportLogReader(IObjectStore store, string sourceId)
    {
        Store = store;
        SourceId = SourceIds.Validate(sourceId);
    }

    /// <summary>The store.</summary>
    public IObjectStore Store { get; }

    /// <summary>The source.</summary>
    public string SourceId { get; }

    /// <summary>Reads the current head (checkpoint + walk), without becoming a writer.</summary>
    public Task<LogHead> ReadHeadAsync(CancellationToken cancellationToken) => LogHeadLoader.LoadAsync(Store, SourceId, cancellationToken);

    /// <summary>Reads commit record <paramref name="number"/>, or null when it does not exist.</summary>
    /// <exception cref="InvalidDataException">The record exists but cannot be parsed (the key is named).</exception>
    public async Task<CommitRecord?> ReadCommitAsync(long number, CancellationToken cancellationToken)
    {
        if (number <= 0)
        {
            return null;
        }
        if (_commits.TryGetValue(number, out var cached))
        {
            return cached;
        }
        var commit = await LogHeadLoader.ReadCommitAsync(Store, SourceId, number, cancellationToken).ConfigureAwait(false);
        if (commit is not null)
        {
            if (_commits.Count >= MaxCachedCommits)
            {
                _commits.Clear();
            }
            _commits[number] = commit;
        }
        return commit;
    }

    /// <summary>Streams records with fromSeq ≤ seq ≤ toSeq in seq order, verifying segment checksums.</summary>
    /// <exception cref="InvalidDataException">A segment is missing or unparseable; the message names it.</exception>
    /// <exception cref="SegmentChecksumException">A segment does not match its commit record's checksum.</exception>
    public async IAsyncEnumerable<LogRecord> ReadRecordsAsync(long fromSeq, long toSeq, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        fromSeq = Math.Max(fromSeq, 1);
        if (toSeq < fromSeq)
        {
            yield break;
        }
        var upper = await FindUpperBoundAsync(fromSeq, cancellationToken).ConfigureAwait(false);
        if (upper == 0)
        {
            yield break;
        }
        var start = await FindFirstCommitReachingAsync(fromSeq, upper, cancellationToken).ConfigureAwait(false);
        if (start is null)
        {
            yield break;
        }
        for (var number = start.Number; ; number++)
        {
            var commit = number == start.Number ? start : await ReadCommitAsync(number, cancellationToken).ConfigureAwait(false);
            if (commit is null || commit.FirstSeq > toSeq)
            {
                yield break;
            }
            foreach (var segment in commit.Segments)
            {
                if (segment.LastSeq < fromSeq || segment.FirstSeq > toSeq)
                {
                    continue;
                }
                var data = await ReadSegmentAsync(commit, segment, cancellationToken).ConfigureAwait(false);
                foreach (var record in SegmentCodec.ParseLines(segment.Name, data))
                {
                    if (record.Seq > toSeq)
                    {
                        yield break;
                    }
                    if (record.Seq >= fromSeq)
                    {
                        yield return record;
                    }
                }
            }
        }
    }

    /// <summary>Reads, checks and decompresses one segment named by <paramref name="commit"/>.</summary>
    /// <exception cref="InvalidDataException">Missing or not zstd.</exception>
    /// <exception cref="SegmentChecksumException">Size or checksum differ from the commit record.</exception>
    public async Task<byte[]> ReadSegmentAsync(CommitRecord commit, SegmentRef segment, CancellationToken cancellationToken)
    {
        var key = StoreKeys.InSource(SourceId, segment.Name);
        var bytes = await Store.ReadAsync(key, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"Segment '{segment.Name}' named by commit {commit.Number} of source '{SourceId}' is missing.");
        SegmentCodec.VerifyChecksum(segment.Name, bytes, segment);
        return SegmentCodec.Decompress(segment.Name, bytes);
    }

    /// <summary>Finds the commit whose seq range holds <paramref name="seq"/> (binary search over commit numbers 1..head).</summary>
    public Task<CommitRecord?> FindCommitContainingSeqAsync(long seq, LogHead head, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(head);
        return seq < 1 || seq > head.LastSeq
            ? Task.FromResult<CommitRecord?>(null)
            : FindFirstCommitReachingAsync(seq, head.CommitNumber, cancellationToken);
    }

    /// <summary>Finds the last commit with records whose LastSourceTime ≤ <paramref name="time"/> (binary search), or null when none.</summary>
    /// <remarks>
    /// LastSourceTime is a watermark (never decreases from one commit to the next), so the search
    /// is exact. A position-only commit after the match carries the same seq and watermark, so
    /// the result may be one; its LastSeq and Position are what an anchor needs.
    /// </remarks>
    public async Task<CommitRecord?> FindLastCommitAtOrBeforeAsync(DateTimeOffset time, LogHead head, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(head);
        // Invariant: commits 1..lo satisfy (no records yet, or watermark ≤ time); commits > hi do not.
        long lo = 0;
        var hi = head.CommitNumber;
        CommitRecord? found = null;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo + 1) / 2);
            var commit = await RequireCommitAsync(mid, cancellationToken).ConfigureAwait(false);
            if (commit.LastSourceTime is null || commit.LastSourceTime.Value <= time)
            {
                lo = mid;
                found = commit;
            }
            else
            {
                hi = mid - 1;
            }
        }
        if (lo == 0)
        {
            return null;
        }
        found ??= await RequireCommitAsync(lo, cancellationToken).ConfigureAwait(false);
        return found.LastSeq == 0 ? null : found;
    }

    /// <summary>The smallest commit number in 1..upper whose LastSeq ≥ seq (the commit holding seq), or null.</summary>
    private async Task<CommitRecord?> FindFirstCommitReachingAsync(long seq, long upper, CancellationToken cancellationToken)
    {
        long lo = 1;
        var hi = upper;
        CommitRecord? found = null;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) / 2);
            var commit = await RequireCommitAsync(mid, cancellationToken).ConfigureAwait(false);
            if (commit.LastSeq >= seq)
            {
                found = commit;
                hi = mid - 1;
            }
            else
            {
                lo = mid + 1;
            }
        }
        return found is not null && found.FirstSeq <= seq ? found : null;
    }

    /// <summary>
    /// An existing commit number whose LastSeq ≥ seq, or the last commit when the log ends before
    /// seq, found by galloping 1, 2, 4, … (O(log n) reads, no head walk needed). 0 for an empty log.
    /// </summary>
    private async Task<long> FindUpperBoundAsync(long seq, CancellationToken cancellationToken)
    {
        long lastExisting = 0;
        for (long probe = 1; ; probe = probe * 2)
        {
            var commit = await ReadCommitAsync(probe, cancellationToken).ConfigureAwait(false);
            if (commit is null)
            {
                break;
            }
            lastExisting = probe;
            if (commit.LastSeq >= seq)
            {
                return probe;
            }
        }
        if (lastExisting == 0)
        {
            return 0;
        }
        // The end lies between lastExisting and 2*lastExisting: binary search for the last existing commit.
        var lo = lastExisting;
        var hi = (lastExisting * 2) - 1;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo + 1) / 2);
            if (await ReadCommitAsync(mid, cancellationToken).ConfigureAwait(false) is not null)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private async Task<CommitRecord> RequireCommitAsync(long number, CancellationToken cancellationToken) =>
        await ReadCommitAsync(number, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidDataException($"Source '{SourceId}': commit {number} is missing although a later commit exists. The log is damaged; run verify-log.");
}
