namespace SnapshotService.Capture;

/// <summary>
/// Committed changes per second over a sliding window of a few seconds: steadier than the last
/// commit alone, and it falls to zero when capture stalls (which an all-time average would hide).
/// </summary>
internal sealed class CommitRateMeter(TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);
    private readonly Queue<(long Timestamp, long Seq)> _samples = new();
    private readonly Lock _lock = new();

    public void Record(long committedSeq)
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            _samples.Enqueue((now, committedSeq));
            while (_samples.Count > 2 && time.GetElapsedTime(_samples.Peek().Timestamp, now) > Window)
            {
                _samples.Dequeue();
            }
        }
    }

    public double PerSecond(long committedSeqNow)
    {
        lock (_lock)
        {
            if (_samples.Count == 0)
            {
                return 0;
            }
            var (oldestAt, oldestSeq) = _samples.Peek();
            var elapsed = time.GetElapsedTime(oldestAt);
            if (elapsed > Window * 2)
            {
                return 0;
            }
            return elapsed <= TimeSpan.FromMilliseconds(100) ? 0 : (committedSeqNow - oldestSeq) / elapsed.TotalSeconds;
        }
    }
}
