using System.Diagnostics;
using SnapshotService.Grains;
using SnapshotService.Hashing;
using SnapshotService.State;
using SnapshotService.Views;
using SnapshotService.Telemetry;

namespace SnapshotService.Restore;

/// <summary>
/// Restores a snapshot into an <see cref="IRestoreTarget"/>: materializes (or reuses) its JSONL
/// view, makes the target equal to it, then verifies the target against the view.
/// </summary>
/// <remarks>
/// <para>Idempotent: the target is walked in key order next to the view, and only differences
/// are written (upsert what is missing or different, delete what the view does not hold), so a
/// re-run after a crash or a partial run finishes the job and writes little.</para>
/// <para>Memory: one view part plus one batch; the target is streamed.</para>
/// </remarks>
public sealed class SnapshotRestorer(SnapshotViews views, ContentHashOptions hashing, int batchSize = 1000)
{
    /// <summary>Restores <paramref name="anchor"/> into <paramref name="target"/>; refusals as for <see cref="SnapshotViews.MaterializeAsync"/>.</summary>
    public Task<RestoreResult> RestoreAsync(SnapshotAnchor anchor, IRestoreTarget target, IProgress<RestoreProgress>? progress, CancellationToken cancellationToken) =>
        SnapshotMetrics.MeasureAsync("restore", anchor?.SourceId ?? "", anchor?.Id, () => RestoreMeasuredAsync(anchor!, target, progress, cancellationToken));

    private async Task<RestoreResult> RestoreMeasuredAsync(SnapshotAnchor anchor, IRestoreTarget target, IProgress<RestoreProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        ArgumentNullException.ThrowIfNull(target);
        var manifest = await views.MaterializeAsync(anchor, ViewFormat.Jsonl, new ViewOptions { Hashing = hashing }, null, cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        var counts = new RestoreProgress(0, manifest.Rows, 0, 0, 0, TimeSpan.Zero);
        var upserts = new List<RestoreDocument>(batchSize);
        var deletes = new List<string>(batchSize);

        async Task FlushAsync(bool force)
        {
            if (upserts.Count + deletes.Count < batchSize && !(force && upserts.Count + deletes.Count > 0))
            {
                return;
            }
            await target.UpsertAsync(upserts, cancellationToken).ConfigureAwait(false);
            await target.DeleteAsync(deletes, cancellationToken).ConfigureAwait(false);
            counts = counts with { Upserted = counts.Upserted + upserts.Count, Deleted = counts.Deleted + deletes.Count, Elapsed = clock.Elapsed };
            upserts.Clear();
            deletes.Clear();
            progress?.Report(counts);
        }

        await foreach (var (row, existing) in MergeAsync(manifest, target, cancellationToken).ConfigureAwait(false))
        {
            if (row is null)
            {
                deletes.Add(existing!.Key);
            }
            else
            {
                counts = counts with { Documents = counts.Documents + 1 };
                if (existing is not null && ContentHasher.HashValue(existing.Document.Span, hashing) == row.ContentHash
                    && string.Equals(existing.PartitionKey, row.PartitionKey, StringComparison.Ordinal))
                {
                    counts = counts with { Unchanged = counts.Unchanged + 1 };
                }
                else
                {
                    upserts.Add(new RestoreDocument(row.Key, row.PartitionKey, row.Document));
                }
            }
            await FlushAsync(force: false).ConfigureAwait(false);
        }
        await FlushAsync(force: true).ConfigureAwait(false);
        counts = counts with { Elapsed = clock.Elapsed };
        progress?.Report(counts);
        var verification = await VerifyAsync(manifest, target, cancellationToken).ConfigureAwait(false);
        return new RestoreResult(target.Description, counts, verification);
    }

    /// <summary>Compares the target with the view: key sets, content hashes, and the whole-view digest.</summary>
    public async Task<RestoreVerification> VerifyAsync(ViewManifest manifest, IRestoreTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(target);
        long missing = 0, extra = 0, modified = 0;
        var digest = RangeDigest.Empty;
        await foreach (var (row, existing) in MergeAsync(manifest, target, cancellationToken).ConfigureAwait(false))
        {
            UInt128? targetHash = existing is null ? null : ContentHasher.HashValue(existing.Document.Span, hashing);
            if (existing is not null)
            {
                digest = digest.Add(existing.Key, targetHash!.Value);
            }
            if (row is null)
            {
                extra++;
            }
            else if (existing is null)
            {
                missing++;
            }
            else if (targetHash != row.ContentHash)
            {
                modified++;
            }
        }
        return new RestoreVerification(digest.Count, digest.SumHex, manifest.Rows, manifest.ContentChecksum, missing, extra, modified);
    }

    /// <summary>Walks the view and the target together in key order: (row, target document), either side null when absent.</summary>
    private async IAsyncEnumerable<(ViewRow? Row, RestoreDocument? Existing)> MergeAsync(ViewManifest manifest, IRestoreTarget target, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var rows = JsonlViewReader.ReadAsync(views.Store, manifest, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using var existing = target.ScanAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        var haveRow = await rows.MoveNextAsync().ConfigureAwait(false);
        var haveExisting = await existing.MoveNextAsync().ConfigureAwait(false);
        while (haveRow || haveExisting)
        {
            var order = !haveRow ? 1 : !haveExisting ? -1 : string.CompareOrdinal(rows.Current.Key, existing.Current.Key);
            if (order < 0)
            {
                yield return (rows.Current, null);
                haveRow = await rows.MoveNextAsync().ConfigureAwait(false);
            }
            else if (order > 0)
            {
                yield return (null, existing.Current);
                haveExisting = await existing.MoveNextAsync().ConfigureAwait(false);
            }
            else
            {
                yield return (rows.Current, existing.Current);
                haveRow = await rows.MoveNextAsync().ConfigureAwait(false);
                haveExisting = await existing.MoveNextAsync().ConfigureAwait(false);
            }
        }
    }
}
