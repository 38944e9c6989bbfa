using System.Diagnostics;
using SnapshotService.Grains;
using SnapshotService.Hashing;
using SnapshotService.Log;
using SnapshotService.State;
using SnapshotService.Storage;

namespace SnapshotService.Views;

/// <summary>
/// Turns a snapshot anchor into a view: the live documents at the anchor's seq, in part files a
/// reader outside the service can load (DuckDB, Spark, jq), plus a manifest written last.
/// </summary>
/// <remarks>
/// <para>Cost follows live data: keys come from <see cref="LiveView"/> (nearest live-state
/// checkpoint at or before the seq plus the log tail), documents from the segments the entries
/// name, each segment read and decompressed once per part. Keep compaction running, or the
/// "tail" is the whole log.</para>
/// <para>Nothing wrong is published: segments are checked against their commit records, every
/// document is re-hashed against its recorded content hash, and the view's total (key, hash)
/// digest must equal the live-state digests at the seq before the manifest is written.</para>
/// <para>Crash-safe: parts are cut every <see cref="ViewOptions.RowsPerPart"/> keys, so a re-run
/// writes the same part names; a part left by a crashed run is kept when identical and replaced
/// otherwise (no manifest lists it yet, so no reader relies on it). The manifest is created
/// if absent, so concurrent runs publish one manifest and both return it.</para>
/// </remarks>
public static class ViewMaterializer
{
    /// <summary>Materializes <paramref name="anchor"/> with default <see cref="ViewOptions"/>.</summary>
    public static Task<ViewManifest> MaterializeAsync(IObjectStore store, string sourceId, SnapshotAnchor anchor, ViewFormat format, IProgress<MaterializeProgress>? progress, CancellationToken cancellationToken) =>
        MaterializeAsync(store, sourceId, anchor, format, new ViewOptions(), progress, cancellationToken);

    /// <summary>
    /// Materializes <paramref name="anchor"/> into <c>views/{snapshotId}/{format}/</c> and returns
    /// its manifest; when the view is already published, returns the published manifest without
    /// reading anything else.
    /// </summary>
    /// <exception cref="ArgumentException">The anchor belongs to another source, or the options are invalid.</exception>
    /// <exception cref="InvalidOperationException">The anchor's seq is beyond the committed log.</exception>
    /// <exception cref="InvalidDataException">The export is damaged or pruned (a segment is missing or unparseable, or a document does not match its content hash); the message names the key and segment.</exception>
    /// <exception cref="SegmentChecksumException">A segment differs from the size or checksum in its commit record.</exception>
    public static async Task<ViewManifest> MaterializeAsync(
        IObjectStore store,
        string sourceId,
        SnapshotAnchor anchor,
        ViewFormat format,
        ViewOptions options,
        IProgress<MaterializeProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(anchor);
        ArgumentNullException.ThrowIfNull(options);
        if (!string.Equals(anchor.SourceId, sourceId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Snapshot '{anchor.Id}' belongs to source '{anchor.SourceId}', not '{sourceId}'.", nameof(anchor));
        }
        if (options.RowsPerPart <= 0)
        {
            throw new ArgumentException($"RowsPerPart must be positive (was {options.RowsPerPart}).", nameof(options));
        }
        var existing = await ReadManifestAsync(store, sourceId, anchor.Id, format, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return CheckSameAnchor(existing, anchor);
        }

        var log = new ExportLogReader(store, sourceId);
        var head = await log.ReadHeadAsync(cancellationToken).ConfigureAwait(false);
        if (anchor.Seq < 1 || anchor.Seq > head.LastSeq)
        {
            throw new InvalidOperationException($"Snapshot '{anchor.Id}' is at seq {anchor.Seq}, outside the committed log 1..{head.LastSeq} of source '{sourceId}'.");
        }
        var view = new LiveView(store, sourceId, log);
        var expected = RangeDigest.Empty;
        foreach (var summary in await view.DigestsAtAsync(anchor.Seq, cancellationToken).ConfigureAwait(false))
        {
            expected = expected.Plus(summary.Digest);
        }

        var run = new Run(store, sourceId, anchor, format, options, new ViewDocumentFetcher(log, head, options.Hashing), expected.Count, progress);
        // Two-stage pipeline: while part i is encoded, compressed and written here, the documents
        // of part i+1 are fetched and verified on the thread pool. Memory: two parts' documents.
        Task<ViewBatch>? fetching = null;
        try
        {
            var pending = new List<LiveEntry>(Math.Min(options.RowsPerPart, 65_536));
            await foreach (var entry in view.ReadAtAsync(anchor.Seq, null, cancellationToken).ConfigureAwait(false))
            {
                pending.Add(entry);
                if (pending.Count == options.RowsPerPart)
                {
                    fetching = await run.HandOverAsync(fetching, pending, cancellationToken).ConfigureAwait(false);
                    pending = new List<LiveEntry>(pending.Count);
                }
            }
            if (pending.Count > 0)
            {
                fetching = await run.HandOverAsync(fetching, pending, cancellationToken).ConfigureAwait(false);
            }
            if (fetching is not null)
            {
                var last = fetching;
                fetching = null;
                await run.WritePartAsync(await last.ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (fetching is not null)
            {
                // A failure elsewhere ends the run; let the fetch in flight finish so it does not
                // outlive the call, and leave its own error (if any) to the original exception.
                await ((Task)fetching).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        if (run.Digest != expected)
        {
            throw new InvalidDataException(
                $"Snapshot '{anchor.Id}' of source '{sourceId}': the view holds {run.Digest.Count} keys with digest {run.Digest.SumHex}, but the live-state digests at seq {anchor.Seq} say {expected.Count} keys with {expected.SumHex}. The live state is damaged; the view was not published.");
        }
        await run.RemoveStrayPartsAsync(cancellationToken).ConfigureAwait(false);

        var manifest = new ViewManifest(sourceId, anchor.Id, anchor.Seq, format, DateTimeOffset.UtcNow, run.Parts, run.Digest.Count, run.DocumentBytes, run.Digest.SumHex);
        var manifestKey = StoreKeys.ViewManifest(sourceId, anchor.Id, ViewFormats.Name(format));
        if (await store.PutIfAbsentAsync(manifestKey, ViewJson.Encode(manifest), cancellationToken).ConfigureAwait(false))
        {
            return manifest;
        }
        // Another run published first; its view has the same content (same anchor), so return it.
        var published = await ReadManifestAsync(store, sourceId, anchor.Id, format, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"View manifest '{manifestKey}' existed a moment ago and is gone; was the view deleted while it was being materialized?");
        return CheckSameAnchor(published, anchor);
    }

    /// <summary>The published manifest of a view, or null when the view is not (yet) published.</summary>
    /// <exception cref="InvalidDataException">The manifest exists but cannot be parsed.</exception>
    public static async Task<ViewManifest?> ReadManifestAsync(IObjectStore store, string sourceId, string snapshotId, ViewFormat format, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var key = StoreKeys.ViewManifest(sourceId, snapshotId, ViewFormats.Name(format));
        var bytes = await store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : ViewJson.Decode(key, bytes);
    }

    private static ViewManifest CheckSameAnchor(ViewManifest manifest, SnapshotAnchor anchor) =>
        manifest.Seq == anchor.Seq
            ? manifest
            : throw new InvalidDataException($"View of snapshot '{anchor.Id}' was published at seq {manifest.Seq}, but the anchor says seq {anchor.Seq}. Anchors are immutable; the store is damaged.");

    /// <summary>The state of one materialization: parts written so far and running totals.</summary>
    private sealed class Run(
        IObjectStore store,
        string sourceId,
        SnapshotAnchor anchor,
        ViewFormat format,
        ViewOptions options,
        ViewDocumentFetcher fetcher,
        long totalDocuments,
        IProgress<MaterializeProgress>? progress)
    {
        private readonly string _folder = StoreKeys.ViewFolder(sourceId, anchor.Id, ViewFormats.Name(format));
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public List<ViewPart> Parts { get; } = [];

        public RangeDigest Digest { get; private set; }

        public long DocumentBytes { get; private set; }

        /// <summary>Starts fetching <paramref name="entries"/>, then writes the part fetched before (if any); returns the new fetch.</summary>
        public async Task<Task<ViewBatch>> HandOverAsync(Task<ViewBatch>? previous, List<LiveEntry> entries, CancellationToken cancellationToken)
        {
            var next = Task.Run(() => FetchAsync(entries, cancellationToken), cancellationToken);
            if (previous is not null)
            {
                try
                {
                    await WritePartAsync(await previous.ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    await ((Task)next).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    throw;
                }
            }
            return next;
        }

        public async Task WritePartAsync(ViewBatch batch, CancellationToken cancellationToken)
        {
            var bytes = format == ViewFormat.Jsonl
                ? JsonlPartEncoder.Encode(batch, options.CompressionLevel)
                : await ParquetPartEncoder.EncodeAsync(batch, cancellationToken).ConfigureAwait(false);
            var name = StoreKeys.ViewPartName(Parts.Count, ViewFormats.PartExtension(format));
            await PutPartAsync(_folder + name, bytes, cancellationToken).ConfigureAwait(false);

            var entries = batch.Entries;
            var digest = Digest;
            foreach (var entry in entries)
            {
                digest = digest.Add(entry.Key, entry.ContentHash);
            }
            Digest = digest;
            DocumentBytes += batch.DocumentBytes;
            Parts.Add(new ViewPart(name, entries.Count, bytes.Length, ContentHasher.ChecksumHex(bytes), entries[0].Key, entries[^1].Key));
            progress?.Report(new MaterializeProgress(Digest.Count, totalDocuments, DocumentBytes, Parts.Count, _clock.Elapsed));
        }

        private async Task<ViewBatch> FetchAsync(List<LiveEntry> entries, CancellationToken cancellationToken)
        {
            var batch = new ViewBatch(entries);
            await fetcher.FetchAsync(batch, cancellationToken).ConfigureAwait(false);
            return batch;
        }

        /// <summary>Deletes part files a crashed earlier run left beyond this run's last part (e.g. with another RowsPerPart).</summary>
        public async Task RemoveStrayPartsAsync(CancellationToken cancellationToken)
        {
            var ours = Parts.Select(p => _folder + p.Name).ToHashSet(StringComparer.Ordinal);
            var stray = new List<string>();
            await foreach (var stored in store.ListAsync(_folder + "part-", cancellationToken).ConfigureAwait(false))
            {
                if (!ours.Contains(stored.Key))
                {
                    stray.Add(stored.Key);
                }
            }
            foreach (var key in stray)
            {
                await store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task PutPartAsync(string key, byte[] bytes, CancellationToken cancellationToken)
        {
            if (await store.PutIfAbsentAsync(key, bytes, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
            // Left by a crashed run. Unpublished parts belong to no one, so replacing one that
            // differs is safe; an identical one (the usual case) is kept as it is.
            var existing = await store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
            if (existing is null || !existing.AsSpan().SequenceEqual(bytes))
            {
                await store.PutAsync(key, bytes, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
