namespace SnapshotService.Reconciliation;

/// <summary>How long and how often a run settles its drift candidates.</summary>
/// <param name="Timeout">The most one batch of candidates waits for capture to pass a re-read; what is left then is unsettled.</param>
/// <param name="PollInterval">How often the export's head is read while waiting.</param>
/// <param name="MaxRounds">Re-reads of a key that differs but changed again after its previous re-read; then it is unsettled ("kept changing").</param>
public sealed record DriftSettleOptions(TimeSpan Timeout, TimeSpan PollInterval, int MaxRounds)
{
    /// <summary>30 s, polling every 100 ms, 3 rounds.</summary>
    public static DriftSettleOptions Default { get; } = new(TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100), 3);
}
