namespace SnapshotService.Reconciliation;

/// <summary>Which ranges a reconciliation run checks.</summary>
public enum ReconciliationMode
{
    /// <summary>Every range of the export at the compared seq.</summary>
    Full = 0,

    /// <summary>Only the ranges the request names (see <see cref="IncrementalPlanner"/>).</summary>
    Incremental = 1,
}
