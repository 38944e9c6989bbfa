using SnapshotService.Sources;
using System.Runtime.CompilerServices;
using SnapshotService.Log;
using SnapshotService.Storage;

namespace SnapshotService.State;

/// <summary>
/// The live state of a source at any committed seq N: the nearest checkpoint at or before N plus
/// a replay of the log tail (checkpoint seq, N]. This is what materialization streams and what
/// reconciliation compares against the source, so their cost follows live data and the tail
/// since the last compaction, not the length of history.
/// </summary>
/// <remarks>
/// Memory: one range file at a time plus the distinct keys the tail touches in the requested key
/// range (no documents). With no checkpoint at or before N the tail is the whole log 1..N, so
/// keep compaction running (see <see cref="LiveStateCompactor"/>).
/// </remarks>
public sealed class LiveView
{
    private readonly LiveStateReader _state;
    private readonly ExportLogReader _log;

    /// <summary>Creates a view over <paramref name="sourceId"/>; pass the source's cached <paramref name="log"/> reader to share its commit cache.</summary>
    public LiveView(IObjectStore store, string sourceId, ExportLogReader? log = null)
    {
        _state = new LiveStateReader(store, sourceId);
        _log = log ?? new ExportLogReader(store, sourceId);
    }

    /// <summary>The checkpoint reader this view uses.</summary>
    public LiveStateReader State => _state;

    /// <summary>
    /// Streams the live entries at seq <paramref name="seq"/> within <paramref name="range"/>
    /// (all keys when null), sorted by key (ordinal).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Seq is negative or beyond the last committed seq.</exception>
    public async IAsyncEnumerable<LiveEntry> ReadAtAsync(long seq, KeyRange? range, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seq);
        var keys = range ?? KeyRange.All;
        var manifest = await ManifestAtAsync(seq, cancellationToken).ConfigureAwait(false);
        var tail = await LogTail.CollectAsync(_log, manifest.CommitNumber, manifest.LastSeq, seq, keys, cancellationToken).ConfigureAwait(false);
        var from = 0;
        for (var i = 0; i < manifest.Ranges.Count; i++)
        {
            var rangeKeys = manifest.KeyRangeOf(i);
            if (!rangeKeys.Overlaps(keys))
            {
                continue;
            }
            var slice = LiveMerge.Slice(tail, ref from, rangeKeys);
            var checkpoint = FilterAsync(_state.ReadRangeAsync(manifest, i, cancellationToken), keys);
            await foreach (var entry in LiveMerge.MergeAsync(checkpoint, slice).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                yield return entry;
            }
        }
    }

    /// <summary>
    /// Count and digest per range at seq <paramref name="seq"/>, with the range boundaries of the
    /// checkpoint used: the checkpoint's stored digests, adjusted by the tail (subtract the entry a
    /// tail change replaces, add the new one). Only ranges the tail touches read their range file.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Seq is negative or beyond the last committed seq.</exception>
    public async Task<IReadOnlyList<RangeSummary>> DigestsAtAsync(long seq, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seq);
        var manifest = await ManifestAtAsync(seq, cancellationToken).ConfigureAwait(false);
        var tail = await LogTail.CollectAsync(_log, manifest.CommitNumber, manifest.LastSeq, seq, KeyRange.All, cancellationToken).ConfigureAwait(false);
        var summaries = new List<RangeSummary>(manifest.Ranges.Count);
        var from = 0;
        for (var i = 0; i < manifest.Ranges.Count; i++)
        {
            var rangeKeys = manifest.KeyRangeOf(i);
            var slice = LiveMerge.Slice(tail, ref from, rangeKeys);
            var digest = manifest.Ranges[i].Digest;
            if (slice.Count > 0)
            {
                digest = await AdjustAsync(digest, _state.ReadRangeAsync(manifest, i, cancellationToken), slice, cancellationToken).ConfigureAwait(false);
            }
            summaries.Add(new RangeSummary(i, rangeKeys, digest));
        }
        return summaries;
    }

    /// <summary>The checkpoint a view at <paramref name="seq"/> starts from (the empty state when none is old enough).</summary>
    public async Task<LiveStateManifest> ManifestAtAsync(long seq, CancellationToken cancellationToken) =>
        await _state.FindManifestAtOrBeforeAsync(seq, cancellationToken).ConfigureAwait(false) ?? LiveStateManifest.Empty(_state.SourceId);

    private static async Task<RangeDigest> AdjustAsync(RangeDigest digest, IAsyncEnumerable<LiveEntry> checkpoint, ArraySegment<TailChange> slice, CancellationToken cancellationToken)
    {
        // Both sides are sorted: one merge walk finds the checkpoint entries the tail replaces.
        var j = 0;
        await foreach (var entry in checkpoint.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            while (j < slice.Count && string.CompareOrdinal(slice[j].Key, entry.Key) < 0)
            {
                j++;
            }
            if (j == slice.Count)
            {
                break;
            }
            if (string.Equals(slice[j].Key, entry.Key, StringComparison.Ordinal))
            {
                digest = digest.Remove(entry.Key, entry.ContentHash);
            }
        }
        foreach (var change in slice)
        {
            if (change.Entry is { } added)
            {
                digest = digest.Add(added.Key, added.ContentHash);
            }
        }
        return digest;
    }

    private static async IAsyncEnumerable<LiveEntry> FilterAsync(IAsyncEnumerable<LiveEntry> entries, KeyRange keys)
    {
        await foreach (var entry in entries.ConfigureAwait(false))
        {
            if (keys.Contains(entry.Key))
            {
                yield return entry;
            }
            else if (keys.EndExclusive is not null && string.CompareOrdinal(entry.Key, keys.EndExclusive) >= 0)
            {
                yield break;
            }
        }
    }
}
