namespace SnapshotService.Grains;

/// <summary>Where a running reconciliation is (what streaming RunReconciliation and the CLI's progress bar show).</summary>
/// <param name="SourceId">The source.</param>
/// <param name="ReportId">The report the run will write.</param>
/// <param name="Mode">Full or incremental.</param>
/// <param name="DryRun">True when the run only reports.</param>
/// <param name="StartedAt">When the run started.</param>
/// <param name="RangesDone">Ranges compared so far.</param>
/// <param name="RangesTotal">Ranges the run compares (0 until the export's ranges are known).</param>
/// <param name="SourceDocumentsRead">Source documents read so far.</param>
/// <param name="DriftFound">Drifted keys found so far.</param>
[GenerateSerializer, Immutable]
[Alias("SnapshotService.ReconcileProgress")]
public sealed record ReconcileProgress(
    [property: Id(0)] string SourceId,
    [property: Id(1)] string ReportId,
    [property: Id(2)] ReconcileMode Mode,
    [property: Id(3)] bool DryRun,
    [property: Id(4)] DateTimeOffset StartedAt,
    [property: Id(5)] int RangesDone,
    [property: Id(6)] int RangesTotal,
    [property: Id(7)] long SourceDocumentsRead,
    [property: Id(8)] long DriftFound);
