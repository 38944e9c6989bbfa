using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using SnapshotService.Hashing;
using SnapshotService.Sources;
using SnapshotService.State;
using SnapshotService.Storage;
using SnapshotService.Telemetry;

namespace SnapshotService.Reconciliation;

/// <summary>
/// Read-only reconciliation of one source: per key range of the export's live state at a seq,
/// one streaming pass over the source computes the range's digest; only ranges whose digest
/// differs from the export's get an exact per-key diff. Writes nothing: the result and the drift
/// callback are the input of a repair step.
/// </summary>
/// <remarks>
/// <para><b>Ranges.</b> The export's checkpoint ranges at the seq (<see cref="LiveView.DigestsAtAsync"/>):
/// they cover the whole key space, their digests cost nothing to read, and their size is bounded
/// by <see cref="LiveStateOptions.MaxKeysPerRange"/>, which bounds the export side of a diff.</para>
/// <para><b>Memory.</b> By default a range is read once for its digest and, only when the digest
/// differs, a second time for the exact diff, so memory stays bounded by one range of the export.
/// <see cref="ReconciliationRequest.MaxBufferedKeysPerRange"/> &gt; 0 instead buffers (key, partition
/// key, version, hash) during the digest pass — never the documents — so a drifted range is diffed
/// against exactly the state its digest was computed from without a second read; a range larger
/// than the bound drops its buffer and is re-scanned. A re-scan may see newer source state than
/// the digest pass, which the diff then reports as it finds it.</para>
/// <para><b>Consistency.</b> The source is read as it is during the run, the export at the given
/// seq, so every key the source changed in between differs: a candidate, not drift. With a
/// <see cref="DriftSettler"/> each candidate is judged again once the export has committed past a
/// re-read of it, and only confirmed drift is counted and reported (<see cref="ReconciliationResult.ResolvedInFlight"/>
/// and <see cref="ReconciliationResult.Unsettled"/> count the rest). Without one, every candidate
/// is drift — right only when the scan reads the source at the compared seq's exact position (the
/// simulated source can). A repair step re-checks each key before writing either way.</para>
/// <para><b>Failure.</b> A source or export that cannot be read ends the run as
/// <see cref="ReconciliationStatus.Failed"/> with the reason and the range; it never reads as "no
/// drift". Cancellation throws <see cref="OperationCanceledException"/>.</para>
/// </remarks>
public sealed class Reconciler
{
    private readonly string _sourceId;
    private readonly Func<KeyRange, CancellationToken, IAsyncEnumerable<SourceDocument>> _scan;
    private readonly TimeProvider _time;
    private readonly LiveView _view;
    private readonly IChangeSource _source;
    private readonly DriftSettler? _settler;

    /// <summary>Candidates settled at once: a run with much real drift settles it in batches as the ranges find it.</summary>
    private const int SettleBatch = 5_000;

    /// <summary>Keys point-read per call: few round trips, and a batch of 1 KB documents stays around a megabyte.</summary>
    private const int PointReadBatch = 1_000;

    /// <summary>Creates a reconciler of <paramref name="sourceId"/>'s export in <paramref name="store"/> against <paramref name="source"/>.</summary>
    /// <param name="store">The export store.</param>
    /// <param name="sourceId">The source id.</param>
    /// <param name="source">The source; its <see cref="IChangeSource.ScanAsync"/> is used unless <paramref name="scan"/> is given.</param>
    /// <param name="scan">Replaces the source's scan (e.g. the simulated source's scan at an exact position).</param>
    /// <param name="timeProvider">Clock for the rate limit and timing; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="view">A view to share (its log reader caches commits); a new one when null.</param>
    /// <param name="settler">
    /// Settles each key found different before it counts as drift (<see cref="DriftSettler"/>): the
    /// result then holds confirmed drift only, with the candidates resolved in flight and those left
    /// unsettled counted beside it. Null compares without settling: right only when the source is
    /// read at exactly the compared seq's position (the simulated source's scan at a position).
    /// </param>
    public Reconciler(IObjectStore store, string sourceId, IChangeSource source, Func<KeyRange, CancellationToken, IAsyncEnumerable<SourceDocument>>? scan = null, TimeProvider? timeProvider = null, LiveView? view = null, DriftSettler? settler = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(source);
        _sourceId = SourceIds.Validate(sourceId);
        _scan = scan ?? source.ScanAsync;
        _source = source;
        _time = timeProvider ?? TimeProvider.System;
        _view = view ?? new LiveView(store, _sourceId);
        _settler = settler;
    }

    /// <summary>
    /// Runs one reconciliation. Every drift item goes to <paramref name="onDrift"/> (in key order,
    /// ranges in order) so a report writer can page the full list to a file; the result keeps the
    /// first <see cref="ReconciliationRequest.InlineDriftLimit"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The request is invalid (the message names the setting).</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public async Task<ReconciliationResult> RunAsync(
        ReconciliationRequest request,
        Func<DriftItem, CancellationToken, ValueTask>? onDrift,
        IProgress<ReconciliationProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.ThrowIfInvalid();
        var run = new Run(request, onDrift, _settler, _time.GetUtcNow(), _time.GetTimestamp());
        IReadOnlyList<RangeSummary> summaries;
        try
        {
            summaries = await _view.DigestsAtAsync(request.Seq, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!IsCancellation(ex, cancellationToken))
        {
            return Finish(run, 0, string.Create(CultureInfo.InvariantCulture, $"The export of source '{_sourceId}' cannot be read at seq {request.Seq}: {ex.Message}"));
        }
        var selected = Select(request, summaries, out var selectionProblem);
        if (selectionProblem is not null)
        {
            return Finish(run, summaries.Count, selectionProblem);
        }
        var limiter = request.SourceDocumentsPerSecond > 0 ? new SourceReadLimiter(request.SourceDocumentsPerSecond, _time) : null;
        progress?.Report(new ReconciliationProgress(0, selected.Count, 0, 0));
        using var stopPointReads = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Point reads of changed keys and the range scans are independent reads of the source, so
        // they overlap — unless a read rate limit applies, which they would then have to share.
        var pointReads = limiter is null
            ? Task.Run(() => CheckDirtyKeysAsync(request, summaries, selected, null, stopPointReads.Token), CancellationToken.None)
            : null;
        try
        {
            return await CompareAllAsync(run, summaries, selected, limiter, pointReads, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (pointReads is { IsCompleted: false })
            {
                // The ranges ended the run early (a failure): stop the point reads and let them finish.
                await stopPointReads.CancelAsync().ConfigureAwait(false);
                await ((Task)pointReads).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task<ReconciliationResult> CompareAllAsync(
        Run run,
        IReadOnlyList<RangeSummary> summaries,
        List<RangeSummary> selected,
        SourceReadLimiter? limiter,
        Task<PointReadOutcome>? pointReads,
        IProgress<ReconciliationProgress>? progress,
        CancellationToken cancellationToken)
    {
        for (var i = 0; i < selected.Count; i++)
        {
            var summary = selected[i];
            using var span = SnapshotServiceTelemetry.StartActivity("reconciliation.range", _sourceId);
            span?.SetTag("snapshotservice.range", summary.Index);
            try
            {
                var outcome = await CompareRangeAsync(run, summary, limiter, cancellationToken).ConfigureAwait(false);
                span?.SetTag("snapshotservice.range.verdict", outcome.Verdict.ToString());
                span?.SetTag("snapshotservice.drift", outcome.DriftCount);
                run.Ranges.Add(outcome);
            }
            catch (Exception ex) when (!IsCancellation(ex, cancellationToken))
            {
                span.RecordFailure(ex);
                run.Ranges.Add(new RangeOutcome(summary.Index, summary.Range, RangeVerdict.Failed, RangeDigest.Empty, summary.Digest, 0, false));
                var side = ex is SourceReadException ? "source" : "export";
                var cause = ex is SourceReadException { InnerException: { } inner } ? inner.Message : ex.Message;
                return Finish(run, summaries.Count, string.Create(CultureInfo.InvariantCulture,
                    $"Reading the {side} of '{_sourceId}' failed in range {summary.Index} {Describe(summary.Range)} after {i} of {selected.Count} ranges: {ex.Message}{(cause == ex.Message ? "" : " (" + cause + ")")}"));
            }
            run.RangesChecked++;
            progress?.Report(new ReconciliationProgress(run.RangesChecked, selected.Count, run.SourceDocumentsRead, run.DriftTotal));
        }
        PointReadOutcome points;
        try
        {
            points = await (pointReads ?? CheckDirtyKeysAsync(run.Request, summaries, selected, limiter, cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception ex) when (!IsCancellation(ex, cancellationToken))
        {
            var cause = ex.InnerException is { } inner ? " (" + inner.Message + ")" : "";
            return Finish(run, summaries.Count, string.Create(CultureInfo.InvariantCulture,
                $"Point-reading the keys changed since the last aligned run of '{_sourceId}' failed: {ex.Message}{cause}"));
        }
        run.KeysPointChecked += points.KeysChecked;
        run.SourceDocumentsRead += points.DocumentsRead;
        foreach (var item in points.Drift)
        {
            await run.AddAsync(item, cancellationToken).ConfigureAwait(false);
        }
        try
        {
            await run.SettlePendingAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!IsCancellation(ex, cancellationToken))
        {
            var cause = ex.InnerException is { } inner ? " (" + inner.Message + ")" : "";
            return Finish(run, summaries.Count, $"Settling the drift candidates of '{_sourceId}' failed: {ex.Message}{cause}");
        }
        return Finish(run, summaries.Count, null);
    }

    /// <summary>Renders a range as <c>[start, end)</c> with open bounds shown as −∞ / +∞ (for messages and reports).</summary>
    public static string Describe(KeyRange range) => $"[{range.StartInclusive ?? "−∞"}, {range.EndExclusive ?? "+∞"})";

    private async Task<RangeOutcome> CompareRangeAsync(Run run, RangeSummary summary, SourceReadLimiter? limiter, CancellationToken cancellationToken)
    {
        var request = run.Request;
        var digest = RangeDigest.Empty;
        // Sized from the export's count for the range: a 65k-entry list grown by doubling copies
        // its structs ~17 times per range.
        List<SourceKeyState>? buffer = request.MaxBufferedKeysPerRange > 0
            ? new((int)Math.Min(request.MaxBufferedKeysPerRange, summary.Digest.Count + 64))
            : null;
        await foreach (var state in ScanAsync(run, summary.Range, limiter, cancellationToken).ConfigureAwait(false))
        {
            digest = digest.Add(state.Key, state.ContentHash);
            if (buffer is not null)
            {
                if (buffer.Count < request.MaxBufferedKeysPerRange)
                {
                    buffer.Add(state);
                }
                else
                {
                    buffer = null; // past the bound: re-scan if the digests differ
                }
            }
        }
        run.SourceDocumentsScanned += digest.Count;
        run.ExportDocuments += summary.Digest.Count;
        if (digest == summary.Digest)
        {
            return new RangeOutcome(summary.Index, summary.Range, RangeVerdict.Match, digest, summary.Digest, 0, false);
        }
        var source = buffer is not null ? ToAsync(buffer) : ScanAsync(run, summary.Range, limiter, cancellationToken);
        var export = CountAsync(run, _view.ReadAtAsync(request.Seq, summary.Range, cancellationToken));
        long found = 0;
        await foreach (var item in DriftMerge.DiffAsync(summary.Index, source, export).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            found++;
            await run.AddAsync(item, cancellationToken).ConfigureAwait(false);
        }
        return new RangeOutcome(summary.Index, summary.Range, found > 0 ? RangeVerdict.Drift : RangeVerdict.DigestOnly, digest, summary.Digest, found, buffer is null);
    }

    /// <summary>
    /// Checks the request's dirty keys that no checked range covers, by point reads in batches.
    /// Touches no shared state of the run (it may run alongside the range scans): the drift found,
    /// at most one item per dirty key, is returned for the caller to add after the ranges.
    /// </summary>
    private async Task<PointReadOutcome> CheckDirtyKeysAsync(ReconciliationRequest request, IReadOnlyList<RangeSummary> summaries, List<RangeSummary> checkedRanges, SourceReadLimiter? limiter, CancellationToken cancellationToken)
    {
        var outcome = new PointReadOutcome();
        if (request.Mode != ReconciliationMode.Incremental || request.DirtyKeys is not { Count: > 0 } dirtyKeys)
        {
            return outcome;
        }
        var batch = new List<DirtyKey>(PointReadBatch);
        foreach (var dirty in dirtyKeys)
        {
            if (checkedRanges.Any(r => r.Range.Contains(dirty.Key)))
            {
                continue; // already compared with its whole range
            }
            batch.Add(dirty);
            if (batch.Count == PointReadBatch)
            {
                await CheckBatchAsync(outcome, request.Hashing, summaries, batch, limiter, cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }
        }
        if (batch.Count > 0)
        {
            await CheckBatchAsync(outcome, request.Hashing, summaries, batch, limiter, cancellationToken).ConfigureAwait(false);
        }
        return outcome;
    }

    private async Task CheckBatchAsync(PointReadOutcome outcome, ContentHashOptions hashing, IReadOnlyList<RangeSummary> summaries, List<DirtyKey> batch, SourceReadLimiter? limiter, CancellationToken cancellationToken)
    {
        KeyReadResult read;
        try
        {
            read = await _source.ReadKeysAsync([.. batch.Select(d => d.Key)], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!IsCancellation(ex, cancellationToken))
        {
            throw new SourceReadException($"the source's point read of {batch.Count} keys threw {ex.GetType().Name}", ex);
        }
        outcome.DocumentsRead += read.Documents.Count;
        outcome.KeysChecked += batch.Count;
        if (limiter is not null)
        {
            await limiter.WaitAsync(Math.Max(1, read.Documents.Count), cancellationToken).ConfigureAwait(false);
        }
        var found = new Dictionary<string, SourceKeyState>(read.Documents.Count, StringComparer.Ordinal);
        foreach (var document in read.Documents)
        {
            found[document.Key] = new SourceKeyState(document.Key, document.PartitionKey, document.SourceVersion, ContentHasher.HashValueOrRaw(document.Document.Span, hashing));
        }
        foreach (var dirty in batch)
        {
            var source = found.TryGetValue(dirty.Key, out var state) ? state : (SourceKeyState?)null;
            if (DriftMerge.DiffKey(IndexHolding(summaries, dirty.Key), source, dirty.Entry) is { } item)
            {
                outcome.Drift.Add(item);
            }
        }
    }

    /// <summary>The index of the range (sorted, covering the key space) that holds <paramref name="key"/>.</summary>
    private static int IndexHolding(IReadOnlyList<RangeSummary> summaries, string key)
    {
        int low = 0, high = summaries.Count - 1;
        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            if (summaries[mid].Range.StartInclusive is { } start && string.CompareOrdinal(key, start) < 0)
            {
                high = mid - 1;
            }
            else
            {
                low = mid;
            }
        }
        return Math.Max(0, low);
    }

    /// <summary>The source's documents of <paramref name="range"/> as (key, version, hash), rate-limited and checked for order and range.</summary>
    private async IAsyncEnumerable<SourceKeyState> ScanAsync(Run run, KeyRange range, SourceReadLimiter? limiter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var hashing = run.Request.Hashing;
        string? previous = null;
        var documents = _scan(range, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (documents.ConfigureAwait(false))
        {
            while (true)
            {
                SourceDocument document;
                try
                {
                    if (!await documents.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                    document = documents.Current;
                }
                catch (Exception ex) when (!IsCancellation(ex, cancellationToken))
                {
                    throw new SourceReadException($"the source scan threw {ex.GetType().Name}", ex);
                }
                run.SourceDocumentsRead++;
                if (limiter is not null)
                {
                    await limiter.WaitAsync(1, cancellationToken).ConfigureAwait(false);
                }
                if (!range.Contains(document.Key))
                {
                    throw new SourceReadException($"the scan returned key '{document.Key}' outside the range");
                }
                if (previous is not null && string.CompareOrdinal(previous, document.Key) >= 0)
                {
                    // The merge diff relies on strict ordinal order; a source that breaks it would produce false drift.
                    throw new SourceReadException($"the scan returned key '{document.Key}' after '{previous}' (keys must be unique and in ordinal order)");
                }
                previous = document.Key;
                yield return new SourceKeyState(document.Key, document.PartitionKey, document.SourceVersion, ContentHasher.HashValueOrRaw(document.Document.Span, hashing));
            }
        }
    }

    private static async IAsyncEnumerable<LiveEntry> CountAsync(Run run, IAsyncEnumerable<LiveEntry> entries)
    {
        await foreach (var entry in entries.ConfigureAwait(false))
        {
            run.ExportEntriesRead++;
            yield return entry;
        }
    }

#pragma warning disable CS1998 // a synchronous list exposed as the async stream the merge takes
    private static async IAsyncEnumerable<SourceKeyState> ToAsync(List<SourceKeyState> buffer)
#pragma warning restore CS1998
    {
        foreach (var state in buffer)
        {
            yield return state;
        }
    }

    private static List<RangeSummary> Select(ReconciliationRequest request, IReadOnlyList<RangeSummary> summaries, out string? problem)
    {
        problem = null;
        if (request.Mode == ReconciliationMode.Full)
        {
            return [.. summaries];
        }
        var selected = new List<RangeSummary>();
        foreach (var index in request.RangeIndexes.Distinct().Order())
        {
            if (index >= summaries.Count)
            {
                problem = string.Create(CultureInfo.InvariantCulture,
                    $"Range index {index} does not exist at seq {request.Seq} (the export has {summaries.Count} ranges there); plan the incremental run against the same seq.");
                return [];
            }
            selected.Add(summaries[index]);
        }
        return selected;
    }

    private ReconciliationResult Finish(Run run, int rangesTotal, string? failure) => new(
        _sourceId,
        run.Request.Mode,
        run.Request.Seq,
        failure is null ? ReconciliationStatus.Succeeded : ReconciliationStatus.Failed,
        failure,
        run.RangesChecked,
        rangesTotal,
        run.SourceDocumentsScanned,
        run.SourceDocumentsRead,
        run.ExportDocuments,
        run.ExportEntriesRead,
        new DriftCounts(run.Counts[0], run.Counts[1], run.Counts[2], run.Counts[3]),
        run.Inline,
        run.DriftTotal > run.Inline.Count,
        run.SettledRanges(),
        run.StartedAt,
        _time.GetElapsedTime(run.StartTimestamp))
    {
        KeysPointChecked = run.KeysPointChecked,
        Settled = run.Settler is not null,
        ResolvedInFlight = run.ResolvedInFlight,
        Unsettled = run.UnsettledTotal,
        UnsettledKeys = run.Unsettled,
    };

    private static bool IsCancellation(Exception ex, CancellationToken cancellationToken) =>
        ex is OperationCanceledException && cancellationToken.IsCancellationRequested;

    /// <summary>What the point reads of changed keys found (filled by one task, read after it ends).</summary>
    private sealed class PointReadOutcome
    {
        public List<DriftItem> Drift { get; } = [];

        public long KeysChecked { get; set; }

        public long DocumentsRead { get; set; }
    }

    /// <summary>The mutable tallies of one run (one range at a time; point reads report separately).</summary>
    private sealed class Run(ReconciliationRequest request, Func<DriftItem, CancellationToken, ValueTask>? onDrift, DriftSettler? settler, DateTimeOffset startedAt, long startTimestamp)
    {
        private readonly List<DriftItem> _candidates = [];
        private readonly Dictionary<int, long> _driftPerRange = [];

        public ReconciliationRequest Request { get; } = request;

        public DriftSettler? Settler { get; } = settler;

        public long ResolvedInFlight { get; private set; }

        public long UnsettledTotal { get; private set; }

        /// <summary>The first unsettled keys with their reasons (capped like the inline drift list).</summary>
        public List<UnsettledKey> Unsettled { get; } = [];

        public DateTimeOffset StartedAt { get; } = startedAt;

        public long StartTimestamp { get; } = startTimestamp;

        public List<RangeOutcome> Ranges { get; } = [];

        public List<DriftItem> Inline { get; } = [];

        public long[] Counts { get; } = new long[4];

        public int RangesChecked { get; set; }

        public long SourceDocumentsScanned { get; set; }

        public long SourceDocumentsRead { get; set; }

        public long ExportDocuments { get; set; }

        public long ExportEntriesRead { get; set; }

        public long KeysPointChecked { get; set; }

        public long DriftTotal { get; private set; }

        /// <summary>A key found different: drift at once without a settler, otherwise a candidate settled in batches.</summary>
        public async ValueTask AddAsync(DriftItem item, CancellationToken cancellationToken)
        {
            if (Settler is null)
            {
                await RecordAsync(item, cancellationToken).ConfigureAwait(false);
                return;
            }
            _candidates.Add(item);
            if (_candidates.Count >= SettleBatch)
            {
                await SettlePendingAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Settles the candidates waiting: the confirmed ones become drift, the rest are counted.</summary>
        public async Task SettlePendingAsync(CancellationToken cancellationToken)
        {
            if (Settler is null || _candidates.Count == 0)
            {
                return;
            }
            var outcome = await Settler.SettleAsync([.. _candidates], cancellationToken).ConfigureAwait(false);
            _candidates.Clear();
            ResolvedInFlight += outcome.ResolvedInFlight;
            UnsettledTotal += outcome.Unsettled.Count;
            Unsettled.AddRange(outcome.Unsettled.Take(Request.InlineDriftLimit - Unsettled.Count));
            foreach (var item in outcome.Confirmed)
            {
                await RecordAsync(item, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// The range outcomes with the drift that counted: settled runs find a range's candidates
        /// first, and a range whose candidates all resolved drifted nowhere (its digests differed only
        /// by changes in flight).
        /// </summary>
        public List<RangeOutcome> SettledRanges() => Settler is null
            ? Ranges
            : [.. Ranges.Select(r => r.Verdict is RangeVerdict.Drift or RangeVerdict.DigestOnly
                ? r with { DriftCount = _driftPerRange.GetValueOrDefault(r.Index), Verdict = _driftPerRange.GetValueOrDefault(r.Index) > 0 ? RangeVerdict.Drift : RangeVerdict.DigestOnly }
                : r)];

        private async ValueTask RecordAsync(DriftItem item, CancellationToken cancellationToken)
        {
            Debug.Assert((int)item.Category is >= 0 and < 4, "four categories");
            Counts[(int)item.Category]++;
            _driftPerRange[item.RangeIndex] = _driftPerRange.GetValueOrDefault(item.RangeIndex) + 1;
            DriftTotal++;
            if (Inline.Count < Request.InlineDriftLimit)
            {
                Inline.Add(item);
            }
            if (onDrift is not null)
            {
                await onDrift(item, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
