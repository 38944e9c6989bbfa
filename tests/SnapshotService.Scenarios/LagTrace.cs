namespace SnapshotService.Scenarios;

/// <summary>
/// Lag samples of one run (seconds since the run's clock started, lag in seconds) and the figures
/// made from them: the largest lag, and how long after a fault ended capture was back within 1 s.
/// Shared by the simulated-source and the database-source scenario runs.
/// </summary>
public sealed class LagTrace
{
    private readonly List<(double At, double LagSeconds)> _samples = [];

    public void Add(double at, double lagSeconds) => _samples.Add((at, Math.Max(0, lagSeconds)));

    public double MaxLagSeconds => _samples.Count == 0 ? 0 : _samples.Max(s => s.LagSeconds);

    /// <summary>
    /// Seconds from <paramref name="faultEndedAt"/> (on the same clock as the samples, shifted by
    /// <paramref name="offset"/>) until the first sample within 1 s of the source; null when capture
    /// never fell more than 1 s behind or never came back.
    /// </summary>
    public double? RecoverySeconds(double? faultEndedAt, double offset = 0)
    {
        if (faultEndedAt is not { } end || MaxLagSeconds <= 1)
        {
            return null;
        }
        var back = _samples.FirstOrDefault(s => s.At - offset >= end && s.LagSeconds <= 1);
        return back == default ? null : Math.Max(0, back.At - offset - end);
    }
}
