using SnapshotService.Capture;

namespace SnapshotService.Grains.Tests;

/// <summary>When a stopped capture starts again by itself: backoff after errors, silence after a fence.</summary>
public sealed class CaptureRecoveryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);

    private static readonly CaptureOptions Options = new()
    {
        FailedRestartMinDelay = TimeSpan.FromSeconds(5),
        FailedRestartMaxDelay = TimeSpan.FromSeconds(60),
        FencedTakeoverAfter = TimeSpan.FromSeconds(30),
    };

    [Fact]
    public void restarts_after_errors_back_off_doubling_up_to_the_maximum()
    {
        var recovery = new CaptureRecovery(() => Options, () => 0.5); // no jitter at 0.5
        var now = T0;
        var delays = new List<double>();
        for (var i = 0; i < 6; i++)
        {
            recovery.OnError(now);
            var due = now;
            while (!recovery.TakeErrorRestart(due))
            {
                due += TimeSpan.FromSeconds(1);
            }
            delays.Add((due - now).TotalSeconds);
            now = due;
        }

        Assert.Equal([5, 10, 20, 40, 60, 60], delays);
        Assert.Equal(6, recovery.ConsecutiveRestarts);
    }

    [Fact]
    public void a_run_longer_than_the_maximum_delay_starts_the_backoff_over()
    {
        var recovery = new CaptureRecovery(() => Options, () => 0.5);
        recovery.OnError(T0);
        Assert.True(recovery.TakeErrorRestart(T0 + TimeSpan.FromSeconds(5)));

        recovery.OnRunning(T0 + TimeSpan.FromSeconds(30));
        Assert.Equal(1, recovery.ConsecutiveRestarts);
        recovery.OnRunning(T0 + TimeSpan.FromSeconds(70));
        Assert.Equal(0, recovery.ConsecutiveRestarts);
    }

    [Fact]
    public void jitter_keeps_the_delay_within_twenty_percent()
    {
        var low = new CaptureRecovery(() => Options, () => 0.0);
        var high = new CaptureRecovery(() => Options, () => 1.0);
        low.OnError(T0);
        high.OnError(T0);

        Assert.False(low.TakeErrorRestart(T0 + TimeSpan.FromSeconds(3.9)));
        Assert.True(low.TakeErrorRestart(T0 + TimeSpan.FromSeconds(4.0)));
        Assert.False(high.TakeErrorRestart(T0 + TimeSpan.FromSeconds(5.9)));
        Assert.True(high.TakeErrorRestart(T0 + TimeSpan.FromSeconds(6.0)));
    }

    [Fact]
    public void a_fenced_writer_waits_while_the_log_grows_and_takes_over_once_it_is_silent()
    {
        var recovery = new CaptureRecovery(() => Options);
        recovery.OnFenced(T0);

        // The winner keeps committing: every new head restarts the silence.
        for (var i = 1; i <= 10; i++)
        {
            Assert.Null(recovery.TakeFencedTakeover(100 + i, T0 + TimeSpan.FromSeconds(i * 20)));
        }
        var lastChange = T0 + TimeSpan.FromSeconds(200);
        Assert.Null(recovery.TakeFencedTakeover(110, lastChange + TimeSpan.FromSeconds(29)));
        Assert.Equal(TimeSpan.FromSeconds(30), recovery.TakeFencedTakeover(110, lastChange + TimeSpan.FromSeconds(30)));
        Assert.False(recovery.IsFenced);
        Assert.False(recovery.TakeErrorRestart(lastChange + TimeSpan.FromHours(1)));
    }

    [Fact]
    public void stopping_for_good_cancels_a_pending_restart()
    {
        var recovery = new CaptureRecovery(() => Options);
        recovery.OnError(T0);
        recovery.OnStoppedForGood();

        Assert.False(recovery.TakeErrorRestart(T0 + TimeSpan.FromHours(1)));
    }
}
