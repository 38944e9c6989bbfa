using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using SnapshotService.Grains;
using SnapshotService.Hashing;
using SnapshotService.Log;
using SnapshotService.State;
using SnapshotService.Storage;
using SnapshotService.Telemetry;

namespace SnapshotService.Views;

/// <summary>
/// Turns a snapshot anchor into a view: the live documents at the anchor's seq, in part files a
/// reader outside the service can load (DuckDB, Spark, jq), plus a manifest written last.
/// </summary>
/// <remarks>
/// <para>Cost follows live data: keys come from <see cref="LiveView"/> (nearest live-state
/// checkpoint at or before the seq plus the log tail). The live entries are planned in key order
/// (part i holds keys i×RowsPerPart..), then sorted by seq, so every segment that holds a live
/// document is read, checked and decompressed once per view (once per pass of
/// <see cref="ViewOptions.MaxKeysPerPass"/> keys), in log order, on all cores; each document is
/// routed to its part, and a part is encoded and written as soon as its last row has arrived
/// (<see cref="PartAssembler"/> buffers rows within <see cref="ViewOptions.MemoryBudgetBytes"/>
/// and spills the rest to local files). Keep compaction running, or the "tail" is the whole log.
/// Segments holding no live document are not read, but one live document still costs its whole
/// segment: after long random-update histories, reading is bounded by the segments' total size.</para>
/// <para>Nothing wrong is published: segments are checked against their commit records, every
/// document is re-hashed against its recorded content hash, and the view's total (key, hash)
/// digest must equal the live-state digests at the seq before the manifest is written.</para>
/// <para>Crash-safe: parts are cut every <see cref="ViewOptions.RowsPerPart"/> keys in key order
/// (whatever order they are written in), so a re-run writes the same part names and bytes; a part left by a crashed run is kept when identical and replaced
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
    public static Task<ViewManifest> MaterializeAsync(
        IObjectStore store,
        string sourceId,
        SnapshotAnchor anchor,
        ViewFormat format,
        ViewOptions options,
        IProgress<MaterializeProgress>? progress,
        CancellationToken cancellationToken) =>
        SnapshotMetrics.MeasureAsync("materialize", sourceId, anchor?.Id, () => MaterializeMeasuredAsync(store, sourceId, anchor!, format, options, progress, cancellationToken));

    private static async Task<ViewManifest> MaterializeMeasuredAsync(
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

        var spillFolder = Path.Combine(options.SpillDirectory ?? Path.GetTempPath(), $"snapshotservice-view-{Guid.NewGuid():N}");
        var run = new Run(store, sourceId, anchor, format, options, new ViewDocumentFetcher(log, head, options.Hashing, options.RowsPerPart), expected.Count, progress);
        try
        {
            await run.MaterializeAsync(view, spillFolder, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (Directory.Exists(spillFolder))
            {
                Directory.Delete(spillFolder, recursive: true);
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
        private readonly object _gate = new();
        private readonly SortedDictionary<int, ViewPart> _parts = [];
        private readonly List<string> _segments = [];
        private readonly Dictionary<string, int> _segmentIndexes = new(StringComparer.Ordinal);
        private long _writtenDocuments;
        private long _writtenBytes;

        /// <summary>The part files in key order.</summary>
        public List<ViewPart> Parts => [.. _parts.Values];

        /// <summary>Digest over (key, hash) of every document read, verified and routed to a part.</summary>
        public RangeDigest Digest { get; private set; }

        public long DocumentBytes { get; private set; }

        /// <summary>
        /// Plans the live entries at the anchor in passes of at most <see cref="ViewOptions.MaxKeysPerPass"/>
        /// keys and runs each pass: every segment the pass needs is read once, in log order.
        /// </summary>
        public async Task MaterializeAsync(LiveView view, string spillFolder, CancellationToken cancellationToken)
        {
            var perPass = Math.Max(options.RowsPerPart, options.MaxKeysPerPass / options.RowsPerPart * options.RowsPerPart);
            var firstPart = 0;
            long planned = 0;
            var entries = view.ReadAtAsync(anchor.Seq, null, cancellationToken).GetAsyncEnumerator(cancellationToken);
            await using (entries.ConfigureAwait(false))
            {
                var more = await entries.MoveNextAsync().ConfigureAwait(false);
                while (more)
                {
                    // Sized by the keys the digests announce; should the state hold more (damage), the
                    // extra keys form further passes and the digest check at the end refuses the view.
                    var plan = new ViewPlan((int)Math.Clamp(totalDocuments - planned, 1, perPass), _segments, _segmentIndexes);
                    while (more && !plan.IsFull)
                    {
                        plan.Add(entries.Current);
                        more = await entries.MoveNextAsync().ConfigureAwait(false);
                    }
                    planned += plan.Count;
                    await RunPassAsync(plan, firstPart, spillFolder, cancellationToken).ConfigureAwait(false);
                    firstPart += (plan.Count + options.RowsPerPart - 1) / options.RowsPerPart;
                }
            }
        }

        /// <summary>
        /// Reads the pass's segments on <see cref="ViewOptions.MaxParallelism"/> workers and, at the
        /// same time, encodes and writes every part as soon as its last row has arrived.
        /// </summary>
        private async Task RunPassAsync(ViewPlan plan, int firstPart, string spillFolder, CancellationToken cancellationToken)
        {
            var parallelism = Math.Max(1, options.MaxParallelism);
            using var assembler = new PartAssembler(options.MemoryBudgetBytes, spillFolder);
            var partCount = (plan.Count + options.RowsPerPart - 1) / options.RowsPerPart;
            for (var p = 0; p < partCount; p++)
            {
                assembler.Expect(firstPart + p, Math.Min(options.RowsPerPart, plan.Count - (p * options.RowsPerPart)));
            }
            var runs = plan.SortIntoRuns();
            var complete = Channel.CreateUnbounded<PartBuffer>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var encoders = new Task[parallelism];
            for (var i = 0; i < parallelism; i++)
            {
                encoders[i] = Task.Run(() => EncodeCompletePartsAsync(complete.Reader, assembler, stop), CancellationToken.None);
            }
            Exception? failure = null;
            try
            {
                await Parallel.ForEachAsync(runs, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = stop.Token }, async (run, token) =>
                {
                    var rows = await fetcher.FetchAsync(plan.Segments[run.Segment], plan.RowsOf(run), firstPart, token).ConfigureAwait(false);
                    lock (_gate)
                    {
                        Digest = Digest.Plus(rows.Digest);
                        DocumentBytes += rows.DocumentBytes;
                    }
                    foreach (var part in assembler.Add(rows))
                    {
                        complete.Writer.TryWrite(part);
                    }
                }).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                failure = e;
                await stop.CancelAsync().ConfigureAwait(false);
            }
            complete.Writer.TryComplete();
            await Task.WhenAll(encoders).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            // An encoder's failure (a store error writing a part) cancels the readers; report the cause, not the cancellation.
            var encoderFailure = encoders.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault();
            if (encoderFailure is not null && (failure is null or OperationCanceledException))
            {
                ExceptionDispatchInfo.Capture(encoderFailure).Throw();
            }
            if (failure is not null)
            {
                ExceptionDispatchInfo.Capture(failure).Throw();
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (assembler.OpenParts > 0)
            {
                throw new InvalidDataException($"Snapshot '{anchor.Id}' of source '{sourceId}': {assembler.OpenParts} parts did not receive all their rows. The live state is damaged; the view was not published.");
            }
        }

        private async Task EncodeCompletePartsAsync(ChannelReader<PartBuffer> complete, PartAssembler assembler, CancellationTokenSource stop)
        {
            try
            {
                await foreach (var buffer in complete.ReadAllAsync(stop.Token).ConfigureAwait(false))
                {
                    var rows = PartRows.Decode(buffer.Index, buffer.Expected, assembler.Take(buffer), _segments);
                    await WritePartAsync(rows, stop.Token).ConfigureAwait(false);
                }
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }

        private async Task WritePartAsync(PartRows part, CancellationToken cancellationToken)
        {
            var bytes = format == ViewFormat.Jsonl
                ? JsonlPartEncoder.Encode(part, options.CompressionLevel)
                : await ParquetPartEncoder.EncodeAsync(part, cancellationToken).ConfigureAwait(false);
            var name = StoreKeys.ViewPartName(part.Index, ViewFormats.PartExtension(format));
            await PutPartAsync(_folder + name, bytes, cancellationToken).ConfigureAwait(false);
            var written = new ViewPart(name, part.Rows.Length, bytes.Length, ContentHasher.ChecksumHex(bytes), part.Rows[0].Entry.Key, part.Rows[^1].Entry.Key);
            lock (_gate)
            {
                // Reported under the lock so that the documents count never goes backwards.
                _parts.Add(part.Index, written);
                _writtenDocuments += part.Rows.Length;
                _writtenBytes += part.DocumentBytes;
                progress?.Report(new MaterializeProgress(_writtenDocuments, totalDocuments, _writtenBytes, _parts.Count, _clock.Elapsed));
            }
        }

        /// <summary>Deletes part files a crashed earlier run left beyond this run's last part (e.g. with another RowsPerPart).</summary>
        public async Task RemoveStrayPartsAsync(CancellationToken cancellationToken)
        {
            var ours = _parts.Values.Select(p => _folder + p.Name).ToHashSet(StringComparer.Ordinal);
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
