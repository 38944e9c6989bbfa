namespace SnapshotService.Reconciliation.Reports;

/// <summary>How a reconciliation run ended, as its report records it.</summary>
public enum DriftReportStatus
{
    /// <summary>Every selected range was compared.</summary>
    Succeeded = 0,

    /// <summary>The run stopped; <see cref="DriftReport.FailureReason"/> says why. Never means "no drift".</summary>
    Failed = 1,
}

/// <summary>One part of a category's full key list: <c>reports/keys/{id}/{category}-{part:D6}.jsonl.zst</c>.</summary>
/// <param name="Name">The part's name relative to the source root (as commit records name segments).</param>
/// <param name="Count">Drift items (lines) in the part.</param>
public sealed record DriftKeyPart(string Name, long Count);

/// <summary>What a report says about one drift category.</summary>
/// <param name="Category">The category.</param>
/// <param name="Count">Drifted keys of the category.</param>
/// <param name="FirstKeys">The first <see cref="DriftReport.InlineKeyLimit"/> keys, in the order the run found them (key order within each range, ranges in order).</param>
/// <param name="Parts">The full list, in the same order, split into parts; empty when <paramref name="Count"/> is 0.</param>
public sealed record DriftCategoryReport(DriftCategory Category, long Count, IReadOnlyList<string> FirstKeys, IReadOnlyList<DriftKeyPart> Parts);

/// <summary>What a repair step wrote for a report: how many keys, and the seq range of its repair records.</summary>
/// <param name="RepairedCount">Keys repaired (repair records written).</param>
/// <param name="FirstSeq">Seq of the first repair record, or null when none was written.</param>
/// <param name="LastSeq">Seq of the last repair record, or null.</param>
/// <param name="SkippedAligned">Drifted keys not written because, when repair re-checked them, capture had caught up or the source agreed with the export again.</param>
/// <param name="NotRepairable">Drifted keys not written because the export holds a newer version than the source (writing would regress them; invariant 6).</param>
public sealed record DriftRepairSummary(long RepairedCount, long? FirstSeq, long? LastSeq, long SkippedAligned = 0, long NotRepairable = 0);

/// <summary>
/// The persisted outcome of one reconciliation run: <c>sources/{id}/reports/runs/{reportId}.json</c>.
/// Written once, last, with put-if-absent: a report is visible complete or not at all.
/// </summary>
/// <param name="Id">Report id (<see cref="DriftReportIds"/>).</param>
/// <param name="SourceId">The source.</param>
/// <param name="Mode">Full or incremental.</param>
/// <param name="DryRun">True when the run only reported (no repair was attempted).</param>
/// <param name="StartedAt">When the run started.</param>
/// <param name="EndedAt">When it ended.</param>
/// <param name="AnchorSeq">The export seq the source was compared at.</param>
/// <param name="RangesChecked">Ranges compared completely.</param>
/// <param name="RangesTotal">Ranges of the export at that seq (coverage = checked / total).</param>
/// <param name="SourceDocumentsScanned">Source documents in the checked ranges.</param>
/// <param name="SourceDocumentsRead">Source documents read, re-scans included (what the rate limit paid for).</param>
/// <param name="ExportDocumentsScanned">Export live keys in the checked ranges.</param>
/// <param name="Counts">Drifted keys per category.</param>
/// <param name="Categories">Per category: count, first keys inline, the key file parts (always all four categories, in <see cref="DriftCategoryNames.All"/> order).</param>
/// <param name="Repair">What repair wrote, or null (dry run, nothing to repair, or not repaired yet).</param>
/// <param name="Status">Succeeded or failed.</param>
/// <param name="FailureReason">Why the run failed, or null.</param>
public sealed record DriftReport(
    string Id,
    string SourceId,
    ReconciliationMode Mode,
    bool DryRun,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    long AnchorSeq,
    int RangesChecked,
    int RangesTotal,
    long SourceDocumentsScanned,
    long SourceDocumentsRead,
    long ExportDocumentsScanned,
    DriftCounts Counts,
    IReadOnlyList<DriftCategoryReport> Categories,
    DriftRepairSummary? Repair,
    DriftReportStatus Status,
    string? FailureReason)
{
    /// <summary>Keys kept inline per category.</summary>
    public const int InlineKeyLimit = 100;

    /// <summary>Keys an incremental run checked by point reads (changed since the last aligned run, outside the ranges it scanned).</summary>
    public long KeysPointChecked { get; init; }

    /// <summary>Schema drift and dead letters seen with this run, or null (reports written before they existed).</summary>
    public DriftDataQuality? DataQuality { get; init; }

    /// <summary>What settling the keys found different did, or null (reports written before runs settled, and runs that failed before comparing).</summary>
    public DriftSettleSummary? Settle { get; init; }

    /// <summary>True when the run found at least one drifted key (whether it succeeded or not).</summary>
    public bool HasDrift => Counts.Total > 0;

    /// <summary>The section of one category.</summary>
    public DriftCategoryReport CategoryOf(DriftCategory category) =>
        Categories.FirstOrDefault(c => c.Category == category) ?? new DriftCategoryReport(category, 0, [], []);
}

/// <summary>
/// The data-quality side of a reconciliation: how the documents' schema changed since the previous
/// report, and how many dead letters wait (their keys differ between source and export until they
/// are retried or the source document is fixed, so they explain part of the drift).
/// </summary>
/// <param name="SchemaSinceSeq">The previous report's anchor seq (0 for the first report): the schema is compared from there to this run's anchor.</param>
/// <param name="FieldsAdded">Paths first seen since then.</param>
/// <param name="FieldsRemoved">Paths no document written since then has.</param>
/// <param name="FieldsRetyped">Paths with a new JSON type since then.</param>
/// <param name="OpenDeadLetters">Dead letters waiting when the run ended.</param>
public sealed record DriftDataQuality(long SchemaSinceSeq, IReadOnlyList<string> FieldsAdded, IReadOnlyList<string> FieldsRemoved, IReadOnlyList<string> FieldsRetyped, long OpenDeadLetters)
{
    /// <summary>True when the schema changed since the previous report.</summary>
    public bool SchemaChanged => FieldsAdded.Count > 0 || FieldsRemoved.Count > 0 || FieldsRetyped.Count > 0;
}

/// <summary>
/// Keys a run found different that were not drift: the export caught up with them once it passed
/// a re-read of the source (changes in flight), or they could not be judged in time. Neither is in
/// <see cref="DriftReport.Counts"/>; unsettled keys keep the run from counting as aligned.
/// </summary>
/// <param name="ResolvedInFlight">Keys the export caught up with.</param>
/// <param name="Unsettled">Keys that could not be judged in time.</param>
/// <param name="FirstUnsettled">The first unsettled keys with the reason (at most <see cref="DriftReport.InlineKeyLimit"/>).</param>
public sealed record DriftSettleSummary(long ResolvedInFlight, long Unsettled, IReadOnlyList<UnsettledKey> FirstUnsettled);
