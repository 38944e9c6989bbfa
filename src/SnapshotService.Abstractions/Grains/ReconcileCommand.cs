namespace SnapshotService.Grains;

/// <summary>Which ranges a requested reconciliation checks.</summary>
public enum ReconcileMode
{
    /// <summary>Every range of the export.</summary>
    Full = 0,

    /// <summary>Ranges dirtied since the last aligned run plus a rotating slice of the rest.</summary>
    Incremental = 1,
}

/// <summary>A request to reconcile one source.</summary>
/// <param name="Mode">Full or incremental.</param>
/// <param name="DryRun">True to report without repairing; false to repair drift through the source's commit path.</param>
[GenerateSerializer, Immutable]
[Alias("SnapshotService.ReconcileCommand")]
public sealed record ReconcileCommand(
    [property: Id(0)] ReconcileMode Mode,
    [property: Id(1)] bool DryRun);

/// <summary>What a finished run returns: the id of its persisted drift report.</summary>
/// <param name="SourceId">The source.</param>
/// <param name="ReportId">The drift report id (<c>drift-…</c>); the report is persisted when this is returned.</param>
[GenerateSerializer, Immutable]
[Alias("SnapshotService.ReconcileOutcome")]
public sealed record ReconcileOutcome(
    [property: Id(0)] string SourceId,
    [property: Id(1)] string ReportId);
