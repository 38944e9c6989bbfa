namespace SnapshotService.Reconciliation;

/// <summary>
/// A token bucket over source documents: refills at the configured rate, holds at most one
/// second's worth (so an idle pause does not turn into a burst larger than the rate), and makes a
/// reader wait once it has spent the bucket. Bounds what a reconciliation costs the source (RUs,
/// disk reads) whatever the range sizes.
/// </summary>
public sealed class SourceReadLimiter
{
    private readonly double _rate;
    private readonly double _capacity;
    private readonly TimeProvider _time;
    private double _tokens;
    private long _lastTimestamp;

    /// <summary>Creates a limiter of <paramref name="documentsPerSecond"/> (&gt; 0), starting with a full bucket.</summary>
    public SourceReadLimiter(double documentsPerSecond, TimeProvider timeProvider)
    {
        if (!(documentsPerSecond > 0) || double.IsInfinity(documentsPerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(documentsPerSecond), documentsPerSecond, "The source read rate must be a positive number of documents per second.");
        }
        ArgumentNullException.ThrowIfNull(timeProvider);
        _rate = documentsPerSecond;
        _capacity = Math.Max(1, documentsPerSecond);
        _time = timeProvider;
        _tokens = _capacity;
        _lastTimestamp = timeProvider.GetTimestamp();
    }

    /// <summary>Takes <paramref name="documents"/> tokens and returns how long the caller must wait before reading them (zero when the bucket had them).</summary>
    public TimeSpan Take(int documents)
    {
        var now = _time.GetTimestamp();
        _tokens = Math.Min(_capacity, _tokens + (_time.GetElapsedTime(_lastTimestamp, now).TotalSeconds * _rate));
        _lastTimestamp = now;
        _tokens -= documents;
        // A negative balance is debt the next callers see too, so waits add up to the rate exactly.
        return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _rate);
    }

    /// <summary>Takes <paramref name="documents"/> tokens and waits (on the limiter's clock) until they are due.</summary>
    public async ValueTask WaitAsync(int documents, CancellationToken cancellationToken)
    {
        var wait = Take(documents);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
