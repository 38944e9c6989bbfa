using SnapshotService.Grains;
using SnapshotService.Log;
using SnapshotService.State;
using SnapshotService.Storage;

namespace SnapshotService.Retention;

/// <summary>
/// Prunes a source's history under <see cref="RetentionOptions"/> without ever deleting what a
/// retained snapshot or the current state needs, and collects abandoned view files.
/// </summary>
/// <remarks>
/// <para>The boundary F is the seq of a live-state checkpoint at or below the limits' cut. Kept:
/// every segment with a record after F; the checkpoint at F and every segment its entries name
/// (the state at F); for each retained snapshot below F, the checkpoint its view starts from,
/// the segments that checkpoint names and the segments of the log tail up to the snapshot.
/// Anything else at or below F goes. So every anchor at seq ≥ F, and every retained one below,
/// still materializes to the same view.</para>
/// <para>The marker (<see cref="RetentionMarker"/>) is written before anything is deleted and
/// anchors are listed after it, so an anchor created meanwhile either was listed (and protected)
/// or saw the new boundary (and was refused below it).</para>
/// <para>Cost per run: one read per commit record at or below F (cached by the reader), one
/// pass over the boundary checkpoint's keys and each old retained snapshot's checkpoint.</para>
/// </remarks>
public static class RetentionCollector
{
    /// <summary>Runs retention once. Run it from the same caller as compaction (the source grain's maintenance), not concurrently with it.</summary>
    public static async Task<RetentionResult> CollectAsync(IObjectStore store, string sourceId, RetentionOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        var log = new ExportLogReader(store, sourceId);
        var state = new LiveStateReader(store, sourceId);
        var head = await log.ReadHeadAsync(cancellationToken).ConfigureAwait(false);
        var previous = await RetentionMarker.ReadAsync(store, sourceId, cancellationToken).ConfigureAwait(false);
        var (viewFiles, viewBytes) = await OrphanViewCollector.CollectAsync(store, sourceId, options.OrphanViewMinAge, now, cancellationToken).ConfigureAwait(false);

        var manifests = await ReadManifestSeqsAsync(state, cancellationToken).ConfigureAwait(false);
        var droppable = await RetentionBoundary.DroppableThroughAsync(log, head, options, now, cancellationToken).ConfigureAwait(false);
        var boundary = ManifestPins.NewestAtOrBefore(manifests, droppable);
        var marker = previous;
        if (boundary is { } boundaryCommit && manifests.First(m => m.Commit == boundaryCommit).LastSeq is var boundarySeq
            && boundarySeq > (previous?.FirstRetainedSeq ?? 0))
        {
            marker = new RetentionMarker(boundarySeq, boundaryCommit, now, previous?.SegmentsDeleted ?? 0);
            await marker.WriteAsync(store, sourceId, cancellationToken).ConfigureAwait(false);
        }
        if (marker is null || marker.FirstRetainedSeq == 0)
        {
            return new RetentionResult(0, 0, viewBytes, 0, viewFiles);
        }

        var firstRetained = marker.FirstRetainedSeq;
        var needed = await NeededSegmentsAsync(store, sourceId, state, log, head, marker, manifests, cancellationToken).ConfigureAwait(false);
        var root = StoreKeys.SourceRoot(sourceId);
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var item in store.ListAsync(StoreKeys.SegmentsPrefix(sourceId), cancellationToken).ConfigureAwait(false))
        {
            sizes[item.Key] = item.Size;
        }
        var segmentsDeleted = 0;
        long bytes = viewBytes;
        for (long number = 1; number <= head.CommitNumber; number++)
        {
            var commit = await log.ReadCommitAsync(number, cancellationToken).ConfigureAwait(false);
            if (commit is null || commit.FirstSeq > firstRetained)
            {
                break;
            }
            foreach (var segment in commit.Segments)
            {
                var key = root + segment.Name;
                if (segment.LastSeq <= firstRetained && !needed.Contains(segment.Name) && sizes.TryGetValue(key, out var size)
                    && await store.DeleteAsync(key, cancellationToken).ConfigureAwait(false))
                {
                    segmentsDeleted++;
                    bytes += size;
                }
            }
        }

        // Checkpoints below the boundary describe history that is gone, unless a retained snapshot starts from one.
        var pinned = await ManifestPins.ComputeAsync(store, sourceId, [.. manifests.Select(m => m.Commit)], cancellationToken).ConfigureAwait(false);
        var manifestsDeleted = 0;
        foreach (var (commit, lastSeq) in manifests)
        {
            if (lastSeq < firstRetained && !pinned.Contains(commit) && await store.DeleteAsync(StoreKeys.StateManifest(sourceId, commit), cancellationToken).ConfigureAwait(false))
            {
                manifestsDeleted++;
            }
        }
        if (segmentsDeleted > 0)
        {
            await (marker with { SegmentsDeleted = marker.SegmentsDeleted + segmentsDeleted }).WriteAsync(store, sourceId, cancellationToken).ConfigureAwait(false);
        }
        return new RetentionResult(firstRetained, segmentsDeleted, bytes, manifestsDeleted, viewFiles);
    }

    private static async Task<List<(long Commit, long LastSeq)>> ReadManifestSeqsAsync(LiveStateReader state, CancellationToken cancellationToken)
    {
        var manifests = new List<(long, long)>();
        foreach (var commit in await state.ListManifestCommitsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await state.ReadManifestAsync(commit, cancellationToken).ConfigureAwait(false) is { } manifest)
            {
                manifests.Add((commit, manifest.LastSeq));
            }
        }
        return manifests;
    }

    /// <summary>Segment names (relative to the source root) at or below the boundary that must stay.</summary>
    private static async Task<HashSet<string>> NeededSegmentsAsync(
        IObjectStore store, string sourceId, LiveStateReader state, ExportLogReader log, LogHead head, RetentionMarker marker,
        IReadOnlyList<(long Commit, long LastSeq)> manifests, CancellationToken cancellationToken)
    {
        var needed = new HashSet<string>(StringComparer.Ordinal);
        await AddEntrySegmentsAsync(state, marker.BoundaryCommit, needed, cancellationToken).ConfigureAwait(false);
        // Listed after the marker was written: see the remarks on the class.
        foreach (var anchor in await RetainedSnapshots.ListAsync(store, sourceId, cancellationToken).ConfigureAwait(false))
        {
            if (anchor.Seq >= marker.FirstRetainedSeq || IsUnprotected(anchor, marker))
            {
                continue;
            }
            var start = ManifestPins.NewestAtOrBefore(manifests, anchor.Seq);
            var startSeq = 0L;
            if (start is { } startCommit)
            {
                startSeq = await AddEntrySegmentsAsync(state, startCommit, needed, cancellationToken).ConfigureAwait(false);
            }
            await foreach (var segment in SegmentsOverlappingAsync(log, head, startSeq + 1, anchor.Seq, cancellationToken).ConfigureAwait(false))
            {
                needed.Add(segment);
            }
        }
        return needed;
    }

    private static bool IsUnprotected(SnapshotAnchor anchor, RetentionMarker marker) => anchor.CreatedAt > marker.PrunedAt;

    /// <summary>Adds the segments the entries of manifest <paramref name="commit"/> name; returns its LastSeq.</summary>
    private static async Task<long> AddEntrySegmentsAsync(LiveStateReader state, long commit, HashSet<string> needed, CancellationToken cancellationToken)
    {
        if (commit <= 0)
        {
            return 0;
        }
        var manifest = await state.ReadManifestAsync(commit, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"Source '{state.SourceId}': live-state manifest of commit {commit}, which retention protects, is missing; retention stops without deleting segments.");
        for (var i = 0; i < manifest.Ranges.Count; i++)
        {
            await foreach (var entry in state.ReadRangeAsync(manifest, i, cancellationToken).ConfigureAwait(false))
            {
                needed.Add(entry.Segment);
            }
        }
        return manifest.LastSeq;
    }

    private static async IAsyncEnumerable<string> SegmentsOverlappingAsync(ExportLogReader log, LogHead head, long fromSeq, long toSeq, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (fromSeq > toSeq)
        {
            yield break;
        }
        var commit = await log.FindCommitContainingSeqAsync(fromSeq, head, cancellationToken).ConfigureAwait(false);
        while (commit is not null && commit.FirstSeq <= toSeq)
        {
            foreach (var segment in commit.Segments)
            {
                if (segment.LastSeq >= fromSeq && segment.FirstSeq <= toSeq)
                {
                    yield return segment.Name;
                }
            }
            commit = await log.ReadCommitAsync(commit.Number + 1, cancellationToken).ConfigureAwait(false);
        }
    }
}
