namespace SnapshotService.Reconciliation;

/// <summary>Progress of a running reconciliation, reported after each range.</summary>
/// <param name="RangesDone">Ranges finished so far.</param>
/// <param name="RangesTotal">Ranges the run checks.</param>
/// <param name="SourceDocumentsRead">Documents read from the source so far (re-scans included).</param>
/// <param name="DriftFound">Drifted keys found so far.</param>
public sealed record ReconciliationProgress(int RangesDone, int RangesTotal, long SourceDocumentsRead, long DriftFound);
