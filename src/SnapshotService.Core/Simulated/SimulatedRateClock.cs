namespace SnapshotService.Simulated;

/// <summary>
/// The simulated source's "now": how far its rate-limited history has advanced. Instances of one
/// source that share a clock agree on the source's current state — the capture reader, a
/// reconciliation's scans and point reads, a repair's re-check — as readers of a real database
/// share its present. Without sharing, a second instance would start its own clock at zero and
/// see an almost empty source. Thread-safe.
/// </summary>
/// <param name="timeProvider">The clock the rate is measured with.</param>
public sealed class SimulatedRateClock(TimeProvider timeProvider)
{
    private readonly long _startTimestamp = timeProvider.GetTimestamp();
    private long _resumePoint = -1;
    private long _highWater;
    private long _disconnectedAt = -1;

    /// <summary>The clock the rate is measured with.</summary>
    public TimeProvider TimeProvider => timeProvider;

    /// <summary>Time since the clock started.</summary>
    public TimeSpan Elapsed => timeProvider.GetElapsedTime(_startTimestamp);

    /// <summary>The position of the first read through this clock (−1 before it), from which the rate counts.</summary>
    public long ResumePoint => Interlocked.Read(ref _resumePoint);

    /// <summary>The furthest underlying position any reader has reached.</summary>
    public long HighWater => Interlocked.Read(ref _highWater);

    /// <summary>Records the first read's position; later calls change nothing.</summary>
    public void NoteFirstRead(long position) => Interlocked.CompareExchange(ref _resumePoint, position, -1);

    /// <summary>The timestamp the simulated disconnect started (recorded by the first caller).</summary>
    public long NoteDisconnect()
    {
        Interlocked.CompareExchange(ref _disconnectedAt, timeProvider.GetTimestamp(), -1);
        return Interlocked.Read(ref _disconnectedAt);
    }

    /// <summary>Raises <see cref="HighWater"/> to <paramref name="position"/>.</summary>
    public void NoteReached(long position)
    {
        var seen = Interlocked.Read(ref _highWater);
        while (position > seen)
        {
            var before = Interlocked.CompareExchange(ref _highWater, position, seen);
            if (before == seen)
            {
                return;
            }
            seen = before;
        }
    }
}
