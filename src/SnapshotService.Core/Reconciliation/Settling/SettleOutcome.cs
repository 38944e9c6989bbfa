namespace SnapshotService.Reconciliation;

/// <summary>A drift candidate that could not be judged in time, and why; reported beside drift, never as drift.</summary>
/// <param name="Key">The key.</param>
/// <param name="RangeIndex">The range that holds it (as in <see cref="DriftItem.RangeIndex"/>).</param>
/// <param name="Reason">Why it stayed unsettled, e.g. capture had not passed the source's re-read within the settle time.</param>
public sealed record UnsettledKey(string Key, int RangeIndex, string Reason);

/// <summary>What settling a batch of drift candidates found.</summary>
/// <param name="Confirmed">Candidates still drifted once the export had committed past the source's re-read: drift, as the re-check saw it.</param>
/// <param name="ResolvedInFlight">Candidates the export caught up with (a change in flight when the range was compared): not drift.</param>
/// <param name="Unsettled">Candidates that could not be judged in time, with the reason: not drift either.</param>
public sealed record SettleOutcome(IReadOnlyList<DriftItem> Confirmed, long ResolvedInFlight, IReadOnlyList<UnsettledKey> Unsettled);
