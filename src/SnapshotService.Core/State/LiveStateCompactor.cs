using SnapshotService.Sources;
using System.Globalization;
using SnapshotService.Hashing;
using SnapshotService.Log;
using SnapshotService.Storage;

namespace SnapshotService.State;

/// <summary>
/// Writes live-state checkpoints ("compaction"): the previous manifest plus the log tail since
/// it becomes a new manifest, rewriting only the key ranges the tail touched.
/// </summary>
/// <remarks>
/// <para><b>When to call.</b> Periodically from the source's owner (the source grain): when the
/// tail since the latest manifest reaches a few percent of the live keys (e.g. 5%), or every few
/// minutes if less, and before a large materialization. Each call costs reading the tail's
/// segments plus rewriting the ranges it touched — with keys changed uniformly at random, a tail
/// larger than the number of ranges touches nearly all of them, so a call then costs about one
/// pass over the live state; spacing calls by a fraction of the live keys amortises that. Views
/// and reconciliation replay only the changes since the latest manifest. Run <see cref="LiveStateGarbageCollector"/> from the same caller afterwards,
/// never concurrently with compaction (it could remove files a running compaction is reusing).</para>
/// <para><b>Concurrency and crashes.</b> Compaction reads only committed commits and writes only
/// its own files, so it runs beside the capture writer without locks. Range files are
/// content-addressed (<c>state/ranges/{commit:D20}-{checksum}.jsonl.zst</c>) and created with
/// put-if-absent; the manifest is created with put-if-absent last, so a crash before it leaves
/// the previous manifest in force and a re-run completes (unreferenced files are collected).
/// Two compactors racing for the same commit: the loser returns the winner's manifest.</para>
/// <para><b>Memory.</b> Bounded by the distinct keys of the tail (metadata only, no documents)
/// plus one rewritten range (≤ MaxKeysPerRange entries plus the tail's new keys in it); never
/// the whole collection. The first compaction of a long log has the whole log as its tail, so
/// start compacting early.</para>
/// </remarks>
public static class LiveStateCompactor
{
    /// <summary>Compacts up to the log's head. Returns the manifest in force afterwards.</summary>
    public static Task<LiveStateManifest> CompactAsync(IObjectStore store, string sourceId, LiveStateOptions options, CancellationToken cancellationToken) =>
        CompactAsync(store, sourceId, long.MaxValue, options, cancellationToken);

    /// <summary>
    /// Compacts up to commit <paramref name="upToCommit"/> (capped at the head). Returns the
    /// latest manifest unchanged when it already covers that commit.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid options (the message names the setting).</exception>
    /// <exception cref="InvalidDataException">A manifest, range file or segment is damaged (named in the message).</exception>
    public static async Task<LiveStateManifest> CompactAsync(IObjectStore store, string sourceId, long upToCommit, LiveStateOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        var state = new LiveStateReader(store, sourceId);
        var log = new ExportLogReader(store, sourceId);
        var previous = await state.ReadLatestManifestAsync(cancellationToken).ConfigureAwait(false) ?? LiveStateManifest.Empty(state.SourceId);
        var head = await log.ReadHeadAsync(cancellationToken).ConfigureAwait(false);
        var target = Math.Min(upToCommit, head.CommitNumber);
        if (target <= previous.CommitNumber)
        {
            return previous;
        }
        var commit = await log.ReadCommitAsync(target, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Source '{state.SourceId}': commit {target} is missing although the head is {head.CommitNumber}."));
        var files = await LiveFileCounter.StartAsync(previous, state, log, cancellationToken).ConfigureAwait(false);
        var tail = await LogTail.CollectAsync(log, previous.CommitNumber, previous.LastSeq, commit.LastSeq, KeyRange.All, cancellationToken,
            segment => files.NoteFile(segment.Name, segment.LastSeq - segment.FirstSeq + 1)).ConfigureAwait(false);

        var ranges = new List<LiveStateRange>(previous.Ranges.Count + 1);
        var from = 0;
        for (var i = 0; i < previous.Ranges.Count; i++)
        {
            var keys = previous.KeyRangeOf(i);
            var slice = LiveMerge.Slice(tail, ref from, keys);
            if (slice.Count == 0)
            {
                ranges.Add(previous.Ranges[i]); // untouched: the new manifest references the old file
                continue;
            }
            var merged = new List<LiveEntry>(checked((int)previous.Ranges[i].Digest.Count) + slice.Count);
            await foreach (var entry in LiveMerge.MergeAsync(files.RemovingAsync(state.ReadRangeAsync(previous, i, cancellationToken), cancellationToken), slice).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                merged.Add(entry);
                files.Add(entry);
            }
            await WriteSplitAsync(store, state.SourceId, target, keys.StartInclusive, merged, 0, merged.Count, options, ranges, cancellationToken).ConfigureAwait(false);
        }

        var stats = files.ToStats(state.SourceId);
        (ranges, stats) = await SegmentRepacker.RepackIfSparseAsync(store, log, target, ranges, stats, options, cancellationToken).ConfigureAwait(false);
        var manifest = new LiveStateManifest(state.SourceId, target, commit.LastSeq, commit.Position, LogTime.Now(), ranges, stats);
        var manifestKey = StoreKeys.StateManifest(state.SourceId, target);
        if (!await store.PutIfAbsentAsync(manifestKey, LiveStateJson.EncodeManifest(manifest, options.MaxKeysPerRange), cancellationToken).ConfigureAwait(false))
        {
            // Another compactor got there first; its manifest describes the same state.
            manifest = await state.ReadManifestAsync(target, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"Live-state manifest '{manifestKey}' exists but cannot be read back.");
        }
        await AdvanceLatestAsync(store, state.SourceId, manifest, cancellationToken).ConfigureAwait(false);
        return manifest;
    }

    /// <summary>Writes entries [start, start+count) as one range, or — past the maximum — as two halves split at the median, recursively.</summary>
    internal static async Task WriteSplitAsync(IObjectStore store, string sourceId, long commitNumber, string? startKey, List<LiveEntry> entries, int start, int count, LiveStateOptions options, List<LiveStateRange> output, CancellationToken cancellationToken)
    {
        if (count > options.MaxKeysPerRange)
        {
            var half = count / 2;
            await WriteSplitAsync(store, sourceId, commitNumber, startKey, entries, start, half, options, output, cancellationToken).ConfigureAwait(false);
            await WriteSplitAsync(store, sourceId, commitNumber, entries[start + half].Key, entries, start + half, count - half, options, output, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (count == 0)
        {
            output.Add(new LiveStateRange(startKey, null, RangeDigest.Empty, 0, null)); // keep the boundary: stable ranges
            return;
        }
        var piece = entries.GetRange(start, count);
        var digest = RangeDigest.Empty;
        foreach (var entry in piece)
        {
            digest = digest.Add(entry.Key, entry.ContentHash);
        }
        var (bytes, checksum) = RangeFileCodec.Encode(piece, options.CompressionLevel);
        var name = StoreKeys.StateRangeName(commitNumber, checksum);
        var key = StoreKeys.InSource(sourceId, name);
        if (!await store.PutIfAbsentAsync(key, bytes, cancellationToken).ConfigureAwait(false))
        {
            // Content-addressed: an earlier (crashed or racing) run wrote the same bytes. Check, don't trust.
            var existing = await store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
            if (existing is null || !string.Equals(ContentHasher.ChecksumHex(existing), checksum, StringComparison.Ordinal))
            {
                throw new IOException($"Range file '{key}' exists with different content; refusing to reference it.");
            }
        }
        output.Add(new LiveStateRange(startKey, name, digest, bytes.Length, checksum));
    }

    /// <summary>Replaces <c>state/latest.json</c> unless it already names a newer manifest.</summary>
    private static async Task AdvanceLatestAsync(IObjectStore store, string sourceId, LiveStateManifest manifest, CancellationToken cancellationToken)
    {
        var pointerKey = StoreKeys.StateLatest(sourceId);
        var current = await store.ReadAsync(pointerKey, cancellationToken).ConfigureAwait(false);
        if (current is not null)
        {
            try
            {
                if (LiveStateJson.DecodeLatest(pointerKey, current).CommitNumber >= manifest.CommitNumber)
                {
                    return;
                }
            }
            catch (InvalidDataException)
            {
                // Damaged pointer: overwrite it.
            }
        }
        var relative = StoreKeys.StateManifest(sourceId, manifest.CommitNumber)[StoreKeys.SourceRoot(sourceId).Length..];
        var pointer = new LatestStateDto(LiveStateJson.FormatVersion, manifest.CommitNumber, manifest.LastSeq, relative, LogTime.Now());
        await store.PutAsync(pointerKey, LiveStateJson.EncodeLatest(pointer), cancellationToken).ConfigureAwait(false);
    }
}
