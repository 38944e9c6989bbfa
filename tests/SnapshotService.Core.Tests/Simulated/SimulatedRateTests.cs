using SnapshotService.Simulated;

namespace SnapshotService.Core.Tests.Simulated;

public sealed class SimulatedRateTests
{
    [Fact]
    public void a_spike_doubles_the_changes_made_while_it_lasts_and_only_then()
    {
        var rate = new SimulatedRate(100, SpikeAfterSeconds: 10, SpikeSeconds: 5, SpikeFactor: 2);

        Assert.Equal(1_000, rate.ChangesAfter(10), 6);
        Assert.Equal(1_000 + 1_000, rate.ChangesAfter(15), 6); // 5 s at 200/s
        Assert.Equal(2_000 + 500, rate.ChangesAfter(20), 6);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(3.5)]
    [InlineData(10.0)]
    [InlineData(12.25)]
    [InlineData(15.0)]
    [InlineData(40.0)]
    public void seconds_until_is_the_inverse_of_changes_after(double seconds)
    {
        var rate = new SimulatedRate(250, SpikeAfterSeconds: 10, SpikeSeconds: 5, SpikeFactor: 3);
        Assert.Equal(seconds, rate.SecondsUntil(rate.ChangesAfter(seconds)), 6);
    }

    [Fact]
    public async Task a_disconnected_source_fails_reads_for_the_configured_time_then_resumes()
    {
        var time = new ManualTimeProvider();
        var clock = new SimulatedRateClock(time);
        var options = new SimulatedSourceOptions { ChangesPerSecond = 0, MaxChanges = 100, Faults = new SimulatedFaultOptions { DisconnectAfterChanges = 10, DisconnectSeconds = 30 } };
        var first = new SimulatedSource("disc", options, clock: clock);

        var batch = await first.ReadChangesAsync(Sources.SourcePosition.Start, 10, default);
        await Assert.ThrowsAnyAsync<IOException>(() => first.ReadChangesAsync(batch.PositionAfter, 10, default).AsTask());
        time.Advance(TimeSpan.FromSeconds(20));
        var restarted = new SimulatedSource("disc", options, clock: clock); // a capture restart meets the same outage
        await Assert.ThrowsAnyAsync<IOException>(() => restarted.ReadChangesAsync(batch.PositionAfter, 10, default).AsTask());
        time.Advance(TimeSpan.FromSeconds(11));

        Assert.NotEmpty((await restarted.ReadChangesAsync(batch.PositionAfter, 10, default)).Changes);
    }
}
