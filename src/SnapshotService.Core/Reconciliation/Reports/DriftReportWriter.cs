using SnapshotService.Errors;
using SnapshotService.Storage;

namespace SnapshotService.Reconciliation.Reports;

/// <summary>
/// Persists one run's drift report. Pass <see cref="OnDriftAsync"/> as the reconciler's drift
/// callback: items are buffered per category and flushed as key file parts of
/// <see cref="KeysPerPart"/> items, so memory stays at most 4 × KeysPerPart items whatever the
/// drift. <c>CompleteAsync</c> (or <see cref="FailAsync"/>) then writes the report document
/// LAST, with put-if-absent: a crash before that leaves only unreferenced key parts under
/// <c>reports/keys/{id}/</c> and no visible report (readers list documents, never parts).
/// </summary>
/// <remarks>One writer per run; not thread-safe (the reconciler calls the callback sequentially).</remarks>
public sealed class DriftReportWriter
{
    /// <summary>Default items per key file part (about 1–2 MB of JSON before compression).</summary>
    public const int DefaultKeysPerPart = 10_000;

    private readonly IObjectStore _store;
    private readonly TimeProvider _time;
    private readonly Dictionary<DriftCategory, CategoryState> _categories = [];
    private bool _finished;

    /// <summary>Creates a writer for a run that starts now; the report id is fixed at creation.</summary>
    /// <param name="store">The export's object store.</param>
    /// <param name="sourceId">The source.</param>
    /// <param name="mode">Full or incremental.</param>
    /// <param name="dryRun">True when the run does not repair.</param>
    /// <param name="keysPerPart">Items per key file part (≥ 1).</param>
    /// <param name="time">Clock (tests); the system clock when null.</param>
    public DriftReportWriter(IObjectStore store, string sourceId, ReconciliationMode mode, bool dryRun, int keysPerPart = DefaultKeysPerPart, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(keysPerPart, 1);
        _store = store;
        _time = time ?? TimeProvider.System;
        SourceId = SourceIds.Validate(sourceId);
        Mode = mode;
        DryRun = dryRun;
        KeysPerPart = keysPerPart;
        StartedAt = _time.GetUtcNow();
        ReportId = DriftReportIds.NewId(StartedAt);
        foreach (var category in DriftCategoryNames.All)
        {
            _categories[category] = new CategoryState();
        }
    }

    /// <summary>The id the report will have (known before the run ends, e.g. for "running" answers).</summary>
    public string ReportId { get; }

    /// <summary>The source.</summary>
    public string SourceId { get; }

    /// <summary>Full or incremental.</summary>
    public ReconciliationMode Mode { get; }

    /// <summary>True when the run does not repair.</summary>
    public bool DryRun { get; }

    /// <summary>Items per key file part.</summary>
    public int KeysPerPart { get; }

    /// <summary>When the writer (the run) started; the report's started_at.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>Drift items received so far.</summary>
    public long ItemsWritten => _categories.Values.Sum(c => c.Count);

    /// <summary>The reconciler's drift callback: records one item; flushes a part when a category's buffer is full.</summary>
    public async ValueTask OnDriftAsync(DriftItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        ThrowIfFinished();
        var state = _categories[item.Category];
        state.Count++;
        if (state.FirstKeys.Count < DriftReport.InlineKeyLimit)
        {
            state.FirstKeys.Add(item.Key);
        }
        state.Buffer.Add(item);
        if (state.Buffer.Count >= KeysPerPart)
        {
            await FlushAsync(item.Category, state, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Flushes the remaining items and writes the report document from the engine's result (status
    /// failed with its reason when the run failed). Throws <see cref="InvalidOperationException"/>
    /// when the result's counts differ from the items received (the writer was not the run's drift
    /// callback), and AlreadyExists when a report with this id exists.
    /// </summary>
    public Task<DriftReport> CompleteAsync(ReconciliationResult result, DriftRepairSummary? repair, CancellationToken cancellationToken) =>
        CompleteAsync(result, repair, repairFailure: null, cancellationToken);

    /// <summary>
    /// As <see cref="CompleteAsync(ReconciliationResult, DriftRepairSummary?, CancellationToken)"/>;
    /// a <paramref name="repairFailure"/> marks the report failed with that reason even when the
    /// comparison succeeded (the drift lists stay complete; what was repaired is in <paramref name="repair"/>).
    /// </summary>
    public async Task<DriftReport> CompleteAsync(ReconciliationResult result, DriftRepairSummary? repair, string? repairFailure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        ThrowIfFinished();
        if (!string.Equals(result.SourceId, SourceId, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The result is of source '{result.SourceId}' but this writer reports on '{SourceId}'.");
        }
        foreach (var category in DriftCategoryNames.All)
        {
            if (result.Counts.Of(category) != _categories[category].Count)
            {
                throw new InvalidOperationException(
                    $"The result counts {result.Counts.Of(category)} {DriftCategoryNames.NameOf(category)} keys but the writer received {_categories[category].Count}; pass OnDriftAsync as the run's drift callback.");
            }
        }
        var failed = result.Status == ReconciliationStatus.Failed || repairFailure is not null;
        var reason = result.Status == ReconciliationStatus.Failed ? result.FailureReason ?? "The run failed without a reason." : repairFailure;
        var report = await FinishAsync(
            result.StartedAt + result.Elapsed, result.Seq, result.RangesChecked, result.RangesTotal, result.SourceDocumentsScanned, result.SourceDocumentsRead,
            result.ExportDocuments, repair, failed ? DriftReportStatus.Failed : DriftReportStatus.Succeeded,
            failed ? reason : null, cancellationToken, result.KeysPointChecked,
            result.Settled ? new DriftSettleSummary(result.ResolvedInFlight, result.Unsettled, [.. result.UnsettledKeys.Take(DriftReport.InlineKeyLimit)]) : null).ConfigureAwait(false);
        return report;
    }

    /// <summary>
    /// Records a run that ended without a result (e.g. the export or the source threw before the
    /// engine could return): status failed with <paramref name="reason"/>; the drift received so far is kept.
    /// </summary>
    public Task<DriftReport> FailAsync(string reason, long anchorSeq, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ThrowIfFinished();
        return FinishAsync(_time.GetUtcNow(), anchorSeq, 0, 0, 0, 0, 0, null, DriftReportStatus.Failed, reason, cancellationToken);
    }

    /// <summary>Schema drift and dead letters to record in the report (set before completing it).</summary>
    public DriftDataQuality? DataQuality { get; set; }

    private async Task<DriftReport> FinishAsync(
        DateTimeOffset endedAt, long anchorSeq, int rangesChecked, int rangesTotal, long sourceScanned, long sourceRead, long exportScanned,
        DriftRepairSummary? repair, DriftReportStatus status, string? reason, CancellationToken cancellationToken, long keysPointChecked = 0, DriftSettleSummary? settle = null)
    {
        _finished = true;
        var sections = new List<DriftCategoryReport>(_categories.Count);
        foreach (var category in DriftCategoryNames.All)
        {
            var state = _categories[category];
            if (state.Buffer.Count > 0)
            {
                await FlushAsync(category, state, cancellationToken).ConfigureAwait(false);
            }
            sections.Add(new DriftCategoryReport(category, state.Count, [.. state.FirstKeys], [.. state.Parts]));
        }
        var counts = new DriftCounts(
            _categories[DriftCategory.MissingInExport].Count, _categories[DriftCategory.ExtraInExport].Count,
            _categories[DriftCategory.ContentMismatch].Count, _categories[DriftCategory.VersionRegression].Count);
        var report = new DriftReport(ReportId, SourceId, Mode, DryRun, StartedAt, endedAt, anchorSeq, rangesChecked, rangesTotal,
            sourceScanned, sourceRead, exportScanned, counts, sections, repair, status, reason)
        {
            KeysPointChecked = keysPointChecked,
            DataQuality = DataQuality,
            Settle = settle,
        };

        // The document goes last and only if absent: it is the commit point of the report.
        if (!await _store.PutIfAbsentAsync(StoreKeys.DriftReport(SourceId, ReportId), DriftReportJson.Encode(report), cancellationToken).ConfigureAwait(false))
        {
            throw new SnapshotServiceException(ErrorKind.AlreadyExists, $"drift report '{ReportId}' of source '{SourceId}' exists already; a report is written once.", "report_id");
        }
        return report;
    }

    private async Task FlushAsync(DriftCategory category, CategoryState state, CancellationToken cancellationToken)
    {
        var name = StoreKeys.DriftKeysPartName(ReportId, DriftCategoryNames.NameOf(category), state.Parts.Count);
        var bytes = DriftKeyFileCodec.Encode(state.Buffer);
        if (!await _store.PutIfAbsentAsync(StoreKeys.InSource(SourceId, name), bytes, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"Drift key part '{name}' of source '{SourceId}' exists already; report ids are unique, so another writer uses id '{ReportId}'.");
        }
        state.Parts.Add(new DriftKeyPart(name, state.Buffer.Count));
        state.Buffer.Clear();
    }

    private void ThrowIfFinished()
    {
        if (_finished)
        {
            throw new InvalidOperationException($"Drift report '{ReportId}' is already finished; create a new writer per run.");
        }
    }

    private sealed class CategoryState
    {
        public long Count { get; set; }

        public List<string> FirstKeys { get; } = [];

        public List<DriftItem> Buffer { get; } = [];

        public List<DriftKeyPart> Parts { get; } = [];
    }
}
