using System.Diagnostics;
using SnapshotService.Sources;
using SnapshotService.Storage;
using SnapshotService.Telemetry;

namespace SnapshotService.Log;

/// <summary>
/// The writer of one source's append-only export log (format v1, docs/export-format.md).
/// Not thread-safe: one capture loop appends at a time.
/// </summary>
/// <remarks>
/// An append writes the segment first (put-if-absent, under a name no other writer uses) and then
/// the commit record <c>log/{n:D20}.json</c> with put-if-absent. The commit record is the commit:
/// a crash before it leaves an orphan segment that nobody reads and
/// <see cref="CollectGarbageAsync"/> removes; a second writer that races for the same number
/// loses at the put-if-absent and gets <see cref="LogFencedException"/>.
/// </remarks>
public sealed class ExportLog
{
    private const int SegmentNameAttempts = 8;
    private readonly string _segmentTag;
    private LogFencedException? _fenced;
    private bool _checkpointPending;

    private ExportLog(IObjectStore store, string sourceId, ExportLogOptions options, LogHead head)
    {
        Store = store;
        SourceId = sourceId;
        Options = options;
        Head = head;
        WriterId = options.WriterId is { } id ? WriterIds.Sanitize(id) : WriterIds.CreateDefault();
        _segmentTag = WriterIds.RandomTag(8);
    }

    /// <summary>The store holding the log.</summary>
    public IObjectStore Store { get; }

    /// <summary>The source this log belongs to.</summary>
    public string SourceId { get; }

    /// <summary>Writer settings.</summary>
    public ExportLogOptions Options { get; }

    /// <summary>This writer's identity, written into every commit.</summary>
    public string WriterId { get; }

    /// <summary>The newest durable state (updated after every successful append).</summary>
    public LogHead Head { get; private set; }

    /// <summary>True once another writer took a commit number from this one; every later append throws.</summary>
    public bool IsFenced => _fenced is not null;

    /// <summary>The last checkpoint write failure, or null. A failed checkpoint is retried on the next append; commits are unaffected.</summary>
    public Exception? LastCheckpointError { get; private set; }

    /// <summary>
    /// Opens (or creates) the log: reads the newest checkpoint, then walks commit records after it
    /// until the first missing number; the last one found is the head. Orphan segments (written
    /// but never committed) are left for <see cref="CollectGarbageAsync"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">A commit record after the checkpoint is unreadable (named in the message); the log is never silently truncated.</exception>
    public static async Task<ExportLog> OpenAsync(IObjectStore store, string sourceId, ExportLogOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        SourceIds.Validate(sourceId);
        if (options.CheckpointEveryCommits < 1)
        {
            throw new ArgumentException($"CheckpointEveryCommits must be at least 1 (was {options.CheckpointEveryCommits}).", nameof(options));
        }
        var head = await LogHeadLoader.LoadAsync(store, sourceId, cancellationToken).ConfigureAwait(false);
        return new ExportLog(store, sourceId, options, head);
    }

    /// <summary>
    /// Appends changes as one atomic commit: assigns seq Head.LastSeq+1.., hashes documents,
    /// writes the segment, then creates the commit record if absent with
    /// <paramref name="positionAfter"/>. With no changes it writes a position-only commit (when
    /// the position moved) or nothing. Throws <see cref="LogFencedException"/> when another
    /// writer took the commit number.
    /// </summary>
    /// <remarks>
    /// If the call throws for any other reason (I/O, cancellation), <see cref="Head"/> is unchanged
    /// and the outcome may be unknown (the commit can exist). Retrying with the same changes and
    /// position is safe: a commit this writer already made for exactly that range and position is
    /// recognised and returned. Otherwise reopen the log and re-read from its Head.Position.
    /// </remarks>
    /// <exception cref="InvalidDocumentException">An upsert's document is not valid JSON; nothing was written.</exception>
    public async Task<CommitRecord?> AppendAsync(IReadOnlyList<SourceChange> changes, SourcePosition positionAfter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (_fenced is not null)
        {
            throw _fenced;
        }
        var head = Head;
        if (changes.Count == 0 && SamePosition(positionAfter, head.Position))
        {
            return null;
        }
        var number = head.CommitNumber + 1;
        var firstSeq = head.LastSeq + 1;
        using var span = SnapshotServiceTelemetry.StartActivity("capture.commit", SourceId);
        span?.SetTag("snapshotservice.commit", number);
        span?.SetTag("snapshotservice.changes", changes.Count);
        var started = Stopwatch.GetTimestamp();
        CommitRecord commit;
        if (changes.Count == 0)
        {
            commit = new CommitRecord(number, firstSeq, head.LastSeq, [], positionAfter, null, head.LastSourceTime, WriterId, LogTime.Now(), new CommitStats(0, 0, 0, 0));
        }
        else
        {
            EncodedSegment segment;
            using (SnapshotServiceTelemetry.StartActivity("capture.hash", SourceId))
            {
                segment = SegmentCodec.Encode(changes, firstSeq, Options.Hashing, Options.CompressionLevel, SourceId);
            }
            using var segmentLease = segment;
            CaptureMetrics.RecordStage(SourceId, CaptureMetrics.Stages.Hash, Stopwatch.GetElapsedTime(started));
            var lastSeq = head.LastSeq + changes.Count;
            var writeStarted = Stopwatch.GetTimestamp();
            string name;
            using (SnapshotServiceTelemetry.StartActivity("capture.write", SourceId))
            {
                name = await WriteSegmentAsync(firstSeq, segment, cancellationToken).ConfigureAwait(false);
            }
            CaptureMetrics.RecordStage(SourceId, CaptureMetrics.Stages.Write, Stopwatch.GetElapsedTime(writeStarted));
            commit = new CommitRecord(
                number,
                firstSeq,
                lastSeq,
                [new SegmentRef(name, firstSeq, lastSeq, segment.Length, segment.Checksum)],
                positionAfter,
                segment.FirstSourceTime,
                LogTime.Max(head.LastSourceTime, segment.MaxSourceTime),
                WriterId,
                LogTime.Now(),
                new CommitStats(segment.Upserts, segment.Deletes, segment.UncompressedBytes, segment.Length));
        }

        var key = StoreKeys.Commit(SourceId, number);
        var commitStarted = Stopwatch.GetTimestamp();
        try
        {
            if (!await Store.PutIfAbsentAsync(key, LogJson.EncodeCommit(SourceId, commit), cancellationToken).ConfigureAwait(false))
            {
                commit = await ResolveLostRaceAsync(commit, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            span.RecordFailure(ex);
            throw;
        }
        CaptureMetrics.RecordStage(SourceId, CaptureMetrics.Stages.Commit, Stopwatch.GetElapsedTime(commitStarted));
        RecordCommitted(commit, Stopwatch.GetElapsedTime(started));
        Head = LogHeadLoader.Advance(head, commit, SourceId);
        await CheckpointIfDueAsync(cancellationToken).ConfigureAwait(false);
        return commit;
    }

    private void RecordCommitted(CommitRecord commit, TimeSpan elapsed)
    {
        var source = SnapshotServiceTelemetry.Source(SourceId);
        CaptureMetrics.CommitDuration.Record(elapsed.TotalSeconds, source);
        if (commit.LastSeq < commit.FirstSeq)
        {
            return; // position-only commit
        }
        CaptureMetrics.Changes.Add(commit.LastSeq - commit.FirstSeq + 1, source);
        CaptureMetrics.Bytes.Add(commit.Stats.UncompressedBytes, source);
        if (commit.LastSourceTime is { } newest)
        {
            CaptureMetrics.Lag.Record(Math.Max(0, (LogTime.Now() - newest).TotalSeconds), source);
        }
    }

    /// <summary>Deletes segment files no commit names and temp files older than <paramref name="minAge"/>; returns the keys removed.</summary>
    /// <remarks>
    /// <paramref name="minAge"/> protects a segment another writer has written but not yet
    /// committed; use minutes, not seconds. Reads every commit record (O(commits)), so run it
    /// rarely (e.g. after open, or hourly).
    /// </remarks>
    public async Task<IReadOnlyList<string>> CollectGarbageAsync(TimeSpan minAge, CancellationToken cancellationToken)
    {
        var cutoff = DateTimeOffset.UtcNow - minAge;
        var sourceRoot = StoreKeys.SourceRoot(SourceId);
        var candidates = new List<string>();
        await foreach (var item in Store.ListAsync(StoreKeys.SegmentsPrefix(SourceId), cancellationToken).ConfigureAwait(false))
        {
            if (item.LastModified <= cutoff)
            {
                candidates.Add(item.Key);
            }
        }
        var removed = new List<string>();
        if (candidates.Count > 0)
        {
            // Listed before reading commits: a segment committed meanwhile is seen as referenced.
            var referenced = new HashSet<string>(StringComparer.Ordinal);
            for (long n = 1; ; n++)
            {
                var commit = await LogHeadLoader.ReadCommitAsync(Store, SourceId, n, cancellationToken).ConfigureAwait(false);
                if (commit is null)
                {
                    break;
                }
                foreach (var segment in commit.Segments)
                {
                    referenced.Add(sourceRoot + segment.Name);
                }
            }
            foreach (var key in candidates)
            {
                if (!referenced.Contains(key) && await Store.DeleteAsync(key, cancellationToken).ConfigureAwait(false))
                {
                    removed.Add(key);
                }
            }
        }
        if (Store is FileSystemObjectStore fileStore)
        {
            removed.AddRange(fileStore.DeleteStaleTempFiles(minAge));
        }
        return removed;
    }

    private async Task<string> WriteSegmentAsync(long firstSeq, EncodedSegment segment, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < SegmentNameAttempts; attempt++)
        {
            var tag = attempt == 0 ? _segmentTag : $"{_segmentTag}r{attempt}";
            var name = StoreKeys.SegmentName(firstSeq, tag);
            var key = StoreKeys.InSource(SourceId, name);
            if (await Store.PutIfAbsentAsync(key, segment.Bytes, cancellationToken).ConfigureAwait(false))
            {
                return name;
            }
            // Taken: normally our own earlier attempt at this batch (a retry after an unknown outcome).
            var existing = await Store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
            if (existing is not null && segment.Bytes.Span.SequenceEqual(existing))
            {
                return name;
            }
        }
        throw new IOException($"Source '{SourceId}': could not find a free segment name for seq {firstSeq} after {SegmentNameAttempts} attempts.");
    }

    /// <summary>The commit number exists: either our own earlier attempt (unknown outcome) or another writer's. The latter fences us.</summary>
    private async Task<CommitRecord> ResolveLostRaceAsync(CommitRecord mine, CancellationToken cancellationToken)
    {
        CommitRecord? existing = null;
        try
        {
            existing = await LogHeadLoader.ReadCommitAsync(Store, SourceId, mine.Number, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            // Unreadable winner: still fenced; the message says the winner is unknown.
        }
        if (existing is not null
            && string.Equals(existing.WriterId, WriterId, StringComparison.Ordinal)
            && existing.FirstSeq == mine.FirstSeq
            && existing.LastSeq == mine.LastSeq
            && SamePosition(existing.Position, mine.Position))
        {
            return existing;
        }
        _fenced = new LogFencedException(SourceId, mine.Number, existing?.WriterId);
        throw _fenced;
    }

    private async Task CheckpointIfDueAsync(CancellationToken cancellationToken)
    {
        var head = Head;
        if (!_checkpointPending && head.CommitNumber % Options.CheckpointEveryCommits != 0)
        {
            return;
        }
        try
        {
            var now = LogTime.Now();
            var checkpointKey = StoreKeys.Checkpoint(SourceId, head.CommitNumber);
            var checkpoint = new CheckpointDto(LogJson.FormatVersion, SourceId, head.CommitNumber, head.LastSeq, head.Position.Token, head.FirstSourceTime, head.LastSourceTime, head.LastCommitTime, WriterId, now);
            await Store.PutIfAbsentAsync(checkpointKey, LogJson.EncodeCheckpoint(checkpoint), cancellationToken).ConfigureAwait(false);
            var relative = checkpointKey[StoreKeys.SourceRoot(SourceId).Length..];
            await Store.PutAsync(StoreKeys.LatestCheckpoint(SourceId), LogJson.EncodeLatestPointer(new LatestCheckpointDto(LogJson.FormatVersion, head.CommitNumber, relative, now)), cancellationToken).ConfigureAwait(false);
            _checkpointPending = false;
            LastCheckpointError = null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The commit is durable; a missing checkpoint only makes the next open walk further.
            _checkpointPending = true;
            LastCheckpointError = e;
        }
    }

    internal static bool SamePosition(SourcePosition a, SourcePosition b) => string.Equals(a.Token ?? string.Empty, b.Token ?? string.Empty, StringComparison.Ordinal);
}
