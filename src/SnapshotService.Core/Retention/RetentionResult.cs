namespace SnapshotService.Retention;

/// <summary>What one retention run did.</summary>
/// <param name="FirstRetainedSeq">The retention boundary after the run (0: nothing pruned so far).</param>
/// <param name="SegmentsDeleted">Log segments deleted by this run.</param>
/// <param name="BytesFreed">Bytes of segments, checkpoints and view files deleted by this run.</param>
/// <param name="ManifestsDeleted">Live-state manifests below the boundary deleted by this run.</param>
/// <param name="ViewFilesDeleted">Files of deleted snapshots' views and of abandoned (unpublished) views deleted by this run.</param>
public sealed record RetentionResult(long FirstRetainedSeq, int SegmentsDeleted, long BytesFreed, int ManifestsDeleted, int ViewFilesDeleted)
{
    /// <summary>True when the run deleted anything.</summary>
    public bool DeletedAnything => SegmentsDeleted + ManifestsDeleted + ViewFilesDeleted > 0;
}
