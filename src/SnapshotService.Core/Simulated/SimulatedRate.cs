namespace SnapshotService.Simulated;

/// <param name="PerSecond">The nominal rate.</param>
/// <param name="SpikeAfterSeconds">When the spike starts.</param>
/// <param name="SpikeSeconds">How long it lasts (0 = none).</param>
/// <param name="SpikeFactor">The rate multiplier during it.</param>
/// <summary>
/// How many changes a rate-limited simulated source has made after some seconds, with an optional
/// traffic spike: for <c>SpikeSeconds</c> starting <c>SpikeAfterSeconds</c> after the first read,
/// changes come <c>SpikeFactor</c> times as fast. Source times stay nominal (change n at
/// Origin + n / ChangesPerSecond), so lag during a spike is measured in nominal seconds of backlog.
/// </summary>
public readonly record struct SimulatedRate(double PerSecond, double SpikeAfterSeconds, double SpikeSeconds, double SpikeFactor)
{
    /// <summary>The rate of <paramref name="options"/>.</summary>
    public static SimulatedRate Of(SimulatedSourceOptions options) =>
        new(options.ChangesPerSecond, options.Spike.AfterSeconds, options.Spike.Seconds, options.Spike.Factor);

    private bool HasSpike => SpikeSeconds > 0 && SpikeFactor > 1;

    /// <summary>Changes made after <paramref name="seconds"/>.</summary>
    public double ChangesAfter(double seconds)
    {
        var extra = HasSpike ? Math.Clamp(seconds - SpikeAfterSeconds, 0, SpikeSeconds) * (SpikeFactor - 1) : 0;
        return PerSecond * (seconds + extra);
    }

    /// <summary>Seconds until <paramref name="changes"/> changes have been made (the inverse of <see cref="ChangesAfter"/>).</summary>
    public double SecondsUntil(double changes)
    {
        var nominal = changes / PerSecond;
        if (!HasSpike || nominal <= SpikeAfterSeconds)
        {
            return nominal;
        }
        var spikeEnd = SpikeAfterSeconds + (SpikeFactor * SpikeSeconds);
        return nominal <= spikeEnd
            ? SpikeAfterSeconds + ((nominal - SpikeAfterSeconds) / SpikeFactor)
            : nominal - ((SpikeFactor - 1) * SpikeSeconds);
    }
}
