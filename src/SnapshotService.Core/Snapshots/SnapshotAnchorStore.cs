using SnapshotService.Errors;
using SnapshotService.Grains;
using SnapshotService.Log;
using SnapshotService.Paging;
using SnapshotService.Sources;
using SnapshotService.Storage;

namespace SnapshotService.Snapshots;

/// <summary>Creates, reads and lists immutable anchors under <c>sources/{id}/snapshots/</c>.</summary>
/// <remarks>
/// Creating an anchor reads O(log commits) small commit records (none for "latest" beyond the
/// head's commit) and at most one segment, and writes one small file: it is independent of the
/// collection's size and takes no lock on the source or the log.
/// </remarks>
public sealed class SnapshotAnchorStore
{
    /// <summary>The longest label accepted.</summary>
    public const int MaxLabelLength = 200;

    /// <summary>Largest page of <see cref="ListAsync"/>.</summary>
    public const int MaxPageSize = PageTokens.MaxPageSize;

    /// <summary>Page size used when the request says 0.</summary>
    public const int DefaultPageSize = PageTokens.DefaultPageSize;

    /// <summary>Creates the store.</summary>
    public SnapshotAnchorStore(IObjectStore store) => Store = store;

    /// <summary>The object store.</summary>
    public IObjectStore Store { get; }

    /// <summary>
    /// Resolves <paramref name="command"/> against the log (latest = head.LastSeq; at seq; at time =
    /// the last change whose source-time watermark is at or before the time)
    /// and writes the anchor file if absent. Refusals are <see cref="Errors.SnapshotServiceException"/>
    /// naming the field: at_sequence 0 or beyond head → InvalidArgument; at_time before the first
    /// commit → FailedPrecondition; empty log → FailedPrecondition; label over 200 chars → InvalidArgument; a seq below the retention boundary → FailedPrecondition.
    /// </summary>
    /// <remarks>
    /// The anchor's <see cref="SnapshotAnchor.Position"/> is the last source position fully covered
    /// at or before its seq: the position of the commit ending at seq, or else of the commit
    /// before the one holding seq. <see cref="SnapshotAnchor.SourceTime"/> is the source watermark
    /// at seq: the newest source time among records 1..seq.
    /// </remarks>
    public async Task<SnapshotAnchor> CreateAsync(string sourceId, CreateSnapshotCommand command, LogHead head, ExportLogReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(reader);
        SourceIds.Validate(sourceId);
        if (command.Label is { Length: > MaxLabelLength })
        {
            throw SnapshotServiceException.InvalidArgument("label", $"label is {command.Label.Length} characters long; the limit is {MaxLabelLength}.");
        }
        if (command.AtSequence is not null && command.AtTime is not null)
        {
            throw SnapshotServiceException.InvalidArgument("at_time", "Set at most one of at_sequence and at_time (neither means the latest committed change).");
        }
        if (head.LastSeq == 0)
        {
            throw SnapshotServiceException.FailedPrecondition(
                $"source '{sourceId}' has no committed changes yet; wait for capture to commit its first batch (see GetSource: committed_seq) and try again.");
        }

        long seq;
        if (command.AtTime is { } atTime)
        {
            seq = await FindLastSeqAtOrBeforeAsync(sourceId, atTime, head, reader, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            seq = command.AtSequence ?? head.LastSeq;
            if (seq < 1 || seq > head.LastSeq)
            {
                throw SnapshotServiceException.InvalidArgument("at_sequence", $"at_sequence {seq} is outside the committed range 1..{head.LastSeq} of source '{sourceId}'.");
            }
        }
        await RefusePrunedAsync(sourceId, seq, command.AtTime is null ? "at_sequence" : "at_time", cancellationToken).ConfigureAwait(false);
        var (position, sourceTime) = seq == head.LastSeq
            ? (head.Position, head.LastSourceTime)
            : await ResolveInsideAsync(sourceId, seq, head, reader, cancellationToken).ConfigureAwait(false);

        var anchor = new SnapshotAnchor(SnapshotIds.NewId(), sourceId, seq, command.Label, LogTime.Now(), position, sourceTime);
        if (!await Store.PutIfAbsentAsync(StoreKeys.Snapshot(sourceId, anchor.Id), AnchorJson.Encode(anchor), cancellationToken).ConfigureAwait(false))
        {
            throw new SnapshotServiceException(ErrorKind.AlreadyExists, $"snapshot '{anchor.Id}' of source '{sourceId}' exists already; retry the request.", "snapshot_id");
        }
        return anchor;
    }

    /// <summary>Reads one anchor; throws NotFound (naming snapshot_id) when it does not exist, InvalidArgument when the id is malformed.</summary>
    public async Task<SnapshotAnchor> GetAsync(string sourceId, string snapshotId, CancellationToken cancellationToken)
    {
        SourceIds.Validate(sourceId);
        if (SnapshotIds.Check(snapshotId) is { } problem)
        {
            throw SnapshotServiceException.InvalidArgument("snapshot_id", problem);
        }
        var key = StoreKeys.Snapshot(sourceId, snapshotId);
        var bytes = await Store.ReadAsync(key, cancellationToken).ConfigureAwait(false)
            ?? throw SnapshotServiceException.NotFound($"snapshot '{snapshotId}' of source '{sourceId}' does not exist; ListSnapshots shows the existing ones.", "snapshot_id");
        return AnchorJson.Decode(key, bytes);
    }

    /// <summary>Lists anchors newest first; page_size 1..1000 (0 = 100); the token is opaque. Bad values → InvalidArgument naming the field.</summary>
    public async Task<(IReadOnlyList<SnapshotAnchor> Anchors, string? NextPageToken)> ListAsync(string sourceId, int pageSize, string? pageToken, CancellationToken cancellationToken)
    {
        SourceIds.Validate(sourceId);
        pageSize = PageTokens.NormalizePageSize(pageSize);
        var before = PageTokens.Decode(pageToken, id => SnapshotIds.Check(id) is null);

        // Ids sort by creation time, so the listing (ascending) read backwards is newest first.
        var prefix = StoreKeys.SnapshotsPrefix(sourceId);
        var ids = new List<string>();
        await foreach (var item in Store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            var name = item.Key[prefix.Length..];
            if (name.EndsWith(".json", StringComparison.Ordinal))
            {
                var id = name[..^".json".Length];
                if (SnapshotIds.Check(id) is null && (before is null || string.CompareOrdinal(id, before) < 0))
                {
                    ids.Add(id);
                }
            }
        }
        var anchors = new List<SnapshotAnchor>(Math.Min(pageSize, ids.Count));
        for (var i = ids.Count - 1; i >= 0 && anchors.Count < pageSize; i--)
        {
            var key = StoreKeys.Snapshot(sourceId, ids[i]);
            var bytes = await Store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
            if (bytes is not null)
            {
                anchors.Add(AnchorJson.Decode(key, bytes));
            }
        }
        var more = ids.Count > 0 && anchors.Count == pageSize && string.CompareOrdinal(ids[0], anchors[^1].Id) < 0;
        return (anchors, more ? PageTokens.Encode(anchors[^1].Id) : null);
    }

    /// <summary>
    /// Refuses an anchor below the retention boundary: its history may be pruned already, and the
    /// collection that pruned it did not protect it, so it could never be materialized.
    /// </summary>
    private async Task RefusePrunedAsync(string sourceId, long seq, string field, CancellationToken cancellationToken)
    {
        var marker = await Retention.RetentionMarker.ReadAsync(Store, sourceId, cancellationToken).ConfigureAwait(false);
        if (marker is not null && seq < marker.FirstRetainedSeq)
        {
            throw SnapshotServiceException.FailedPrecondition(
                $"{field} resolves to seq {seq} of source '{sourceId}', before seq {marker.FirstRetainedSeq}, the oldest history retention keeps (SnapshotService:Retention); anchor at seq {marker.FirstRetainedSeq} or later.",
                field);
        }
    }

    /// <summary>
    /// The last seq whose source-time watermark is at or before <paramref name="time"/>: every
    /// change up to it happened at or before T, the next one after T. Binary search finds the last
    /// whole commit that qualifies; the commit after it may still start with qualifying records.
    /// </summary>
    private static async Task<long> FindLastSeqAtOrBeforeAsync(string sourceId, DateTimeOffset time, LogHead head, ExportLogReader reader, CancellationToken cancellationToken)
    {
        var commit = await reader.FindLastCommitAtOrBeforeAsync(time, head, cancellationToken).ConfigureAwait(false);
        var seq = commit?.LastSeq ?? 0;
        if (seq < head.LastSeq)
        {
            var next = await reader.FindCommitContainingSeqAsync(seq + 1, head, cancellationToken).ConfigureAwait(false);
            if (next is not null)
            {
                var (lastSeq, _) = await ScanWatermarkAsync(next, reader, stopAfter: time, throughSeq: long.MaxValue, commit?.LastSourceTime, cancellationToken).ConfigureAwait(false);
                seq = Math.Max(seq, lastSeq);
            }
        }
        if (seq == 0)
        {
            throw SnapshotServiceException.FailedPrecondition(
                $"at_time {time.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ} is before the first committed change of source '{sourceId}' (source time {head.FirstSourceTime?.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}); choose that time or a later one.",
                "at_time");
        }
        return seq;
    }

    /// <summary>Position and source watermark at a seq that is not the head: from its commit, the previous commit and the segment.</summary>
    private static async Task<(SourcePosition Position, DateTimeOffset? SourceTime)> ResolveInsideAsync(string sourceId, long seq, LogHead head, ExportLogReader reader, CancellationToken cancellationToken)
    {
        var commit = await reader.FindCommitContainingSeqAsync(seq, head, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"Source '{sourceId}': no commit holds seq {seq} although the head is at {head.LastSeq}. The log is damaged; run verify-log.");
        if (seq == commit.LastSeq)
        {
            return (commit.Position, commit.LastSourceTime);
        }
        var previous = commit.Number > 1 ? await reader.ReadCommitAsync(commit.Number - 1, cancellationToken).ConfigureAwait(false) : null;
        var (_, watermark) = await ScanWatermarkAsync(commit, reader, stopAfter: null, throughSeq: seq, previous?.LastSourceTime, cancellationToken).ConfigureAwait(false);
        return (previous?.Position ?? SourcePosition.Start, watermark);
    }

    /// <summary>
    /// Walks a commit's records (seq and source time only) from <paramref name="watermark"/>, up to
    /// <paramref name="throughSeq"/> or until the watermark would pass <paramref name="stopAfter"/>;
    /// returns the last seq taken (0 if none) and the watermark there.
    /// </summary>
    private static async Task<(long LastSeq, DateTimeOffset? Watermark)> ScanWatermarkAsync(
        CommitRecord commit, ExportLogReader reader, DateTimeOffset? stopAfter, long throughSeq, DateTimeOffset? watermark, CancellationToken cancellationToken)
    {
        long lastSeq = 0;
        foreach (var segment in commit.Segments)
        {
            if (segment.FirstSeq > throughSeq)
            {
                break;
            }
            var data = await reader.ReadSegmentAsync(commit, segment, cancellationToken).ConfigureAwait(false);
            foreach (var (seq, time) in SegmentTimeScanner.Scan(segment.Name, data))
            {
                var next = LogTime.Max(watermark, time);
                if (seq > throughSeq || (stopAfter is { } limit && next > limit))
                {
                    return (lastSeq, watermark);
                }
                (lastSeq, watermark) = (seq, next);
            }
        }
        return (lastSeq, watermark);
    }
}
