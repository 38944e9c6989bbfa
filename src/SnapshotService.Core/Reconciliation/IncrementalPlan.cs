namespace SnapshotService.Reconciliation;

/// <summary>The ranges an incremental run checks, and where the next run's rotation starts.</summary>
/// <param name="RangeIndexes">Every range to check, sorted (dirty ∪ rotation); pass as <see cref="ReconciliationRequest.RangeIndexes"/>.</param>
/// <param name="Dirty">The dirty ranges included.</param>
/// <param name="Rotation">The rotating slice included (may overlap <paramref name="Dirty"/>).</param>
/// <param name="NextCursor">Persist this and pass it to the next plan: the start key of the range the next slice begins at (null = the beginning of the key space).</param>
public sealed record IncrementalPlan(IReadOnlyList<int> RangeIndexes, IReadOnlyList<int> Dirty, IReadOnlyList<int> Rotation, string? NextCursor);
