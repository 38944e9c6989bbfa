using SnapshotService.Capture;

namespace SnapshotService.Grains;

/// <summary>
/// When a stopped capture starts again by itself. After an error (store or source outage): after
/// <see cref="CaptureOptions.FailedRestartMinDelay"/>, doubling per consecutive failure up to
/// <see cref="CaptureOptions.FailedRestartMaxDelay"/>, with ±20% jitter so many sources do not retry
/// in step. After a fence: at once when the source grain proves the winning writer gone
/// (<see cref="FencingWinnerCheck"/>); otherwise only once the log head has stayed unchanged for
/// <see cref="CaptureOptions.FencedTakeoverAfter"/>; while the winner keeps committing, never.
/// The source grain asks on every heartbeat (errors) and every fence-watch tick (fences).
/// </summary>
internal sealed class CaptureRecovery(Func<CaptureOptions> options, Func<double> jitter)
{
    private (long CommitNumber, DateTimeOffset Since)? _fencedWatch;
    private DateTimeOffset? _restartDue;
    private DateTimeOffset _lastRestart;

    public CaptureRecovery(Func<CaptureOptions> options)
        : this(options, Random.Shared.NextDouble)
    {
    }

    /// <summary>Restarts in a row without a long enough run in between (resets after a run longer than the maximum delay).</summary>
    public int ConsecutiveRestarts { get; private set; }

    /// <summary>True while a fenced writer waits for the log to go quiet.</summary>
    public bool IsFenced => _fencedWatch is not null;

    /// <summary>Capture is starting: nothing is pending any more.</summary>
    public void OnStarting()
    {
        _fencedWatch = null;
        _restartDue = null;
    }

    /// <summary>Capture runs; a run longer than the maximum delay ends a series of restarts.</summary>
    public void OnRunning(DateTimeOffset now)
    {
        if (ConsecutiveRestarts > 0 && now - _lastRestart > options().FailedRestartMaxDelay)
        {
            ConsecutiveRestarts = 0;
        }
    }

    /// <summary>Capture stopped on an error: schedule a restart after the current backoff.</summary>
    public void OnError(DateTimeOffset now) => _restartDue = now + Delay(ConsecutiveRestarts);

    /// <summary>Capture was fenced: watch the log, restart only once it goes quiet.</summary>
    public void OnFenced(DateTimeOffset now)
    {
        _restartDue = null;
        _fencedWatch = (-1, now);
    }

    /// <summary>Capture stopped for a reason that needs a person (invalidated, not configured, paused).</summary>
    public void OnStoppedForGood()
    {
        _restartDue = null;
        _fencedWatch = null;
    }

    /// <summary>True when an error restart is due now (and counts it).</summary>
    public bool TakeErrorRestart(DateTimeOffset now)
    {
        if (_restartDue is not { } due || now < due)
        {
            return false;
        }
        _restartDue = null;
        ConsecutiveRestarts++;
        _lastRestart = now;
        return true;
    }

    /// <summary>
    /// Given the log head's commit number now, returns how long the log has been silent when that
    /// is long enough to take over from the winner, else null.
    /// </summary>
    public TimeSpan? TakeFencedTakeover(long headCommitNumber, DateTimeOffset now)
    {
        if (_fencedWatch is not { } watch)
        {
            return null;
        }
        if (headCommitNumber != watch.CommitNumber)
        {
            _fencedWatch = (headCommitNumber, now);
            return null;
        }
        var silence = now - watch.Since;
        if (silence < options().FencedTakeoverAfter)
        {
            return null;
        }
        _fencedWatch = null;
        return silence;
    }

    private TimeSpan Delay(int consecutiveRestarts)
    {
        var settings = options();
        var delay = settings.FailedRestartMinDelay * Math.Pow(2, Math.Min(consecutiveRestarts, 20));
        var capped = delay < settings.FailedRestartMaxDelay ? delay : settings.FailedRestartMaxDelay;
        return capped * (0.8 + (0.4 * jitter()));
    }
}
