using SnapshotService.Sources;
using SnapshotService.State;

namespace SnapshotService.Reconciliation;

/// <summary>How a run ended.</summary>
public enum ReconciliationStatus
{
    /// <summary>Every selected range was compared (drift or not).</summary>
    Succeeded = 0,

    /// <summary>The run stopped (source or export unreadable); <see cref="ReconciliationResult.FailureReason"/> says why. Never means "no drift".</summary>
    Failed = 1,
}

/// <summary>What comparing one range found.</summary>
public enum RangeVerdict
{
    /// <summary>Digests equal: the range was not diffed key by key.</summary>
    Match = 0,

    /// <summary>Digests differed and the exact diff listed the drifted keys.</summary>
    Drift = 1,

    /// <summary>Digests differed but the exact diff found no drifted key (the source changed between the two reads of a re-scan).</summary>
    DigestOnly = 2,

    /// <summary>The range could not be compared (the run failed there).</summary>
    Failed = 3,
}

/// <summary>The outcome of one range.</summary>
/// <param name="Index">Range index at the compared seq.</param>
/// <param name="Range">The keys the range covers.</param>
/// <param name="Verdict">What the comparison found.</param>
/// <param name="SourceDigest">Count and digest of the source documents read in the digest pass (empty when failed).</param>
/// <param name="ExportDigest">Count and digest of the export's live keys at the seq.</param>
/// <param name="DriftCount">Drifted keys found in the range.</param>
/// <param name="Rescanned">True when the exact diff read the source a second time (the range exceeded the buffer).</param>
public sealed record RangeOutcome(int Index, KeyRange Range, RangeVerdict Verdict, RangeDigest SourceDigest, RangeDigest ExportDigest, long DriftCount, bool Rescanned);

/// <summary>Drifted keys per category.</summary>
/// <param name="MissingInExport">Keys the export lacks.</param>
/// <param name="ExtraInExport">Keys the source lacks.</param>
/// <param name="ContentMismatch">Keys whose content differs, export not newer.</param>
/// <param name="VersionRegression">Keys whose export version is newer than the scan's.</param>
public sealed record DriftCounts(long MissingInExport, long ExtraInExport, long ContentMismatch, long VersionRegression)
{
    /// <summary>All drifted keys.</summary>
    public long Total => MissingInExport + ExtraInExport + ContentMismatch + VersionRegression;

    /// <summary>The count of one category.</summary>
    public long Of(DriftCategory category) => category switch
    {
        DriftCategory.MissingInExport => MissingInExport,
        DriftCategory.ExtraInExport => ExtraInExport,
        DriftCategory.ContentMismatch => ContentMismatch,
        DriftCategory.VersionRegression => VersionRegression,
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "Unknown drift category."),
    };
}

/// <summary>
/// The outcome of a read-only reconciliation run: what was covered, what was read, what drifted.
/// The inline drift list is capped (<see cref="ReconciliationRequest.InlineDriftLimit"/>); the full
/// list went to the run's drift callback, in key order within each range, ranges in order.
/// </summary>
/// <param name="SourceId">The source.</param>
/// <param name="Mode">Full or incremental.</param>
/// <param name="Seq">The export seq compared at.</param>
/// <param name="Status">Succeeded or failed.</param>
/// <param name="FailureReason">Why the run failed (names the range and the cause), or null.</param>
/// <param name="RangesChecked">Ranges compared completely.</param>
/// <param name="RangesTotal">Ranges of the export at the seq (coverage = checked / total).</param>
/// <param name="SourceDocumentsScanned">Source documents in the checked ranges (digest pass).</param>
/// <param name="SourceDocumentsRead">Source documents read, re-scans included (what the rate limit paid for).</param>
/// <param name="ExportDocuments">Export live keys in the checked ranges (from the digests, not read).</param>
/// <param name="ExportEntriesRead">Export entries read by exact diffs.</param>
/// <param name="Counts">Drifted keys per category.</param>
/// <param name="Drift">The first drift items (capped).</param>
/// <param name="DriftTruncated">True when more drift items exist than <see cref="Drift"/> holds.</param>
/// <param name="Ranges">Outcome per checked (or failed) range, in key order.</param>
/// <param name="StartedAt">When the run started.</param>
/// <param name="Elapsed">How long it took.</param>
public sealed record ReconciliationResult(
    string SourceId,
    ReconciliationMode Mode,
    long Seq,
    ReconciliationStatus Status,
    string? FailureReason,
    int RangesChecked,
    int RangesTotal,
    long SourceDocumentsScanned,
    long SourceDocumentsRead,
    long ExportDocuments,
    long ExportEntriesRead,
    DriftCounts Counts,
    IReadOnlyList<DriftItem> Drift,
    bool DriftTruncated,
    IReadOnlyList<RangeOutcome> Ranges,
    DateTimeOffset StartedAt,
    TimeSpan Elapsed)
{
    /// <summary>True when the run succeeded, found no drift and left no candidate unsettled.</summary>
    public bool IsAligned => Status == ReconciliationStatus.Succeeded && Counts.Total == 0 && Unsettled == 0;

    /// <summary>Keys checked by point reads (<see cref="ReconciliationRequest.DirtyKeys"/> outside the checked ranges).</summary>
    public long KeysPointChecked { get; init; }

    /// <summary>True when keys found different were settled (<see cref="DriftSettler"/>) before counting as drift.</summary>
    public bool Settled { get; init; }

    /// <summary>Keys found different that the export caught up with once it passed a re-read: changes in flight, not drift.</summary>
    public long ResolvedInFlight { get; init; }

    /// <summary>Keys found different that could not be judged in time (capture behind or stopped, or the key kept changing): not drift, and the run is not aligned.</summary>
    public long Unsettled { get; init; }

    /// <summary>The first unsettled keys with the reason (capped like <see cref="Drift"/>).</summary>
    public IReadOnlyList<UnsettledKey> UnsettledKeys { get; init; } = [];
}
