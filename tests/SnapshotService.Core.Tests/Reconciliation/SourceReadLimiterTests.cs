using SnapshotService.Reconciliation;

namespace SnapshotService.Core.Tests.Reconciliation;

public sealed class SourceReadLimiterTests
{
    [Fact]
    public void a_full_bucket_allows_one_second_of_reads_then_asks_to_wait_at_the_rate()
    {
        var clock = new ManualClock();
        var limiter = new SourceReadLimiter(100, clock);

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(TimeSpan.Zero, limiter.Take(1));
        }
        Assert.Equal(TimeSpan.FromMilliseconds(10), limiter.Take(1));
        Assert.Equal(TimeSpan.FromMilliseconds(20), limiter.Take(1)); // debt accumulates

        clock.Advance(TimeSpan.FromSeconds(10)); // an idle pause refills at most one second's worth
        Assert.Equal(TimeSpan.Zero, limiter.Take(100));
        Assert.Equal(TimeSpan.FromMilliseconds(10), limiter.Take(1));
    }

    [Fact]
    public void a_rate_that_is_not_positive_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SourceReadLimiter(0, new ManualClock()));

    [Fact]
    public void an_invalid_request_names_every_bad_setting()
    {
        var request = new ReconciliationRequest { Seq = -1, SourceDocumentsPerSecond = -5, InlineDriftLimit = -1 };
        var message = Assert.Throws<ArgumentException>(request.ThrowIfInvalid).Message;
        Assert.Contains("Seq", message, StringComparison.Ordinal);
        Assert.Contains("SourceDocumentsPerSecond", message, StringComparison.Ordinal);
        Assert.Contains("InlineDriftLimit", message, StringComparison.Ordinal);
    }

    /// <summary>A clock that moves only when told (no timers needed: the tests call Take, not WaitAsync).</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
