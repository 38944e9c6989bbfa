using SnapshotService.Sources;

namespace SnapshotService.State;

/// <summary>Count and digest of one range of a checkpoint at some seq (see <see cref="LiveView.DigestsAtAsync"/>).</summary>
/// <param name="Index">Position of the range in the manifest (0-based).</param>
/// <param name="Range">The keys the range covers.</param>
/// <param name="Digest">Count and order-independent digest of the live keys in the range.</param>
public sealed record RangeSummary(int Index, KeyRange Range, RangeDigest Digest);
