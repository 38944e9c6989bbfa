using SnapshotService.Simulated;
using SnapshotService.Sources;
using static SnapshotService.Core.Tests.Simulated.SimulatedTestData;

namespace SnapshotService.Core.Tests.Simulated;

public sealed class SimulatedSourceRateAndScanTests
{
    // Guards against a hang only; nothing here asserts on wall-clock time.
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task a_rate_limited_source_releases_changes_as_its_clock_advances()
    {
        var clock = new ManualTimeProvider();
        await using var source = new SimulatedSource("demo", Options(rate: 4, maxChanges: 0), clock);

        var pending = source.ReadChangesAsync(SourcePosition.Start, 100, CancellationToken.None).AsTask();
        Assert.False(pending.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(250));
        var first = await pending.WaitAsync(HangGuard);
        Assert.Equal([1L], first.Changes.Select(c => c.SourceVersion));
        Assert.Equal("sim:1", first.PositionAfter.Token);

        clock.Advance(TimeSpan.FromSeconds(1));
        var next = await source.ReadChangesAsync(first.PositionAfter, 100, CancellationToken.None).AsTask().WaitAsync(HangGuard);
        Assert.Equal([2L, 3L, 4L, 5L], next.Changes.Select(c => c.SourceVersion));
    }

    [Fact]
    public async Task when_nothing_is_readable_a_read_waits_at_most_100_ms_and_returns_an_empty_batch_at_the_same_position()
    {
        var clock = new ManualTimeProvider();
        await using var source = new SimulatedSource("demo", Options(rate: 4, maxChanges: 0), clock);
        clock.Advance(TimeSpan.FromSeconds(1));
        var batch = await source.ReadChangesAsync(SourcePosition.Start, 100, CancellationToken.None);
        Assert.Equal(4, batch.Changes.Count);

        var pending = source.ReadChangesAsync(batch.PositionAfter, 100, CancellationToken.None).AsTask();
        Assert.False(pending.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        var empty = await pending.WaitAsync(HangGuard);

        Assert.True(empty.IsEmpty);
        Assert.Equal(batch.PositionAfter, empty.PositionAfter);
        Assert.Equal(0, clock.PendingTimers);
    }

    [Fact]
    public async Task a_waiting_read_honours_cancellation()
    {
        var clock = new ManualTimeProvider();
        await using var source = new SimulatedSource("demo", Options(rate: 4), clock);
        using var cancellation = new CancellationTokenSource();

        var pending = source.ReadChangesAsync(SourcePosition.Start, 100, cancellation.Token).AsTask();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(HangGuard));
    }

    [Fact]
    public async Task a_restarted_rate_limited_source_continues_from_its_resume_point_at_the_configured_rate()
    {
        var clock = new ManualTimeProvider();
        await using var source = new SimulatedSource("demo", Options(rate: 4, maxChanges: 0), clock);

        clock.Advance(TimeSpan.FromSeconds(1));
        var batch = await source.ReadChangesAsync(new SourcePosition("sim:500"), 100, CancellationToken.None);

        Assert.Equal([501L, 502L, 503L, 504L], batch.Changes.Select(c => c.SourceVersion));
    }

    [Fact]
    public async Task reorder_windows_become_readable_only_once_complete()
    {
        var clock = new ManualTimeProvider();
        await using var source = new SimulatedSource("demo", Options(rate: 4, maxChanges: 0, reorder: 8), clock);

        clock.Advance(TimeSpan.FromSeconds(1.75));
        var pending = source.ReadChangesAsync(SourcePosition.Start, 100, CancellationToken.None).AsTask();
        Assert.False(pending.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(250));
        var batch = await pending.WaitAsync(HangGuard);

        Assert.Equal(Enumerable.Range(1, 8).Select(n => (long)n), batch.Changes.Select(c => c.SourceVersion).Order());
    }

    [Fact]
    public async Task the_watermark_of_a_rate_limited_source_is_the_newest_readable_position_and_its_source_time()
    {
        var clock = new ManualTimeProvider();
        await using var source = new SimulatedSource("demo", Options(rate: 4, maxChanges: 0), clock);

        var empty = await source.GetWatermarkAsync(CancellationToken.None);
        Assert.True(empty.Position.IsStart);
        Assert.Null(empty.SourceTime);

        clock.Advance(TimeSpan.FromSeconds(2.5));
        var watermark = await source.GetWatermarkAsync(CancellationToken.None);

        Assert.Equal("sim:10", watermark.Position.Token);
        Assert.Equal(SimulatedSourceOptions.DefaultOrigin.AddSeconds(2.5), watermark.SourceTime);
    }

    [Fact]
    public async Task with_reordering_the_watermark_sits_at_the_last_complete_window()
    {
        var clock = new ManualTimeProvider();
        await using var source = new SimulatedSource("demo", Options(rate: 4, maxChanges: 0, reorder: 8), clock);

        clock.Advance(TimeSpan.FromSeconds(5));
        var watermark = await source.GetWatermarkAsync(CancellationToken.None);

        Assert.Equal("sim:16", watermark.Position.Token);
    }

    [Fact]
    public async Task an_unlimited_capped_source_has_its_whole_history_readable_and_scans_its_final_state()
    {
        await using var source = new SimulatedSource("demo", Options(keySpace: 300, maxChanges: 2_000, deletePercent: 30));

        var watermark = await source.GetWatermarkAsync(CancellationToken.None);
        var scanned = await source.ScanAsync(KeyRange.All, CancellationToken.None).ToListAsync();

        Assert.Equal("sim:2000", watermark.Position.Token);
        Assert.Equal(source.History.SourceTimeOf(2_000), watermark.SourceTime);
        Assert.Equal(source.History.StateAfter(2_000).Documents(KeyRange.All).Select(Show), scanned.Select(Show));
        Assert.Equal(scanned.Select(d => d.Key).Order(StringComparer.Ordinal), scanned.Select(d => d.Key));
    }

    [Fact]
    public async Task an_unbounded_unlimited_source_has_its_watermark_where_its_reader_got_to()
    {
        await using var source = new SimulatedSource("demo", Options(maxChanges: 0));

        Assert.True((await source.GetWatermarkAsync(CancellationToken.None)).Position.IsStart);
        var batch = await source.ReadChangesAsync(SourcePosition.Start, 1_234, CancellationToken.None);

        Assert.Equal(batch.PositionAfter, (await source.GetWatermarkAsync(CancellationToken.None)).Position);
    }

    [Fact]
    public async Task scan_at_a_position_returns_the_state_after_exactly_that_many_changes_forwards_and_backwards()
    {
        await using var source = new SimulatedSource("demo", Options(keySpace: 500, maxChanges: 5_000, deletePercent: 25));
        var range = new KeyRange("k100", "k250");

        foreach (var n in new long[] { 0, 300, 4_000, 1_000, 5_000, 1_000 })
        {
            var scanned = await source.ScanAtAsync(n, range, CancellationToken.None).ToListAsync();
            Assert.Equal(source.History.StateAfter(n).Documents(range).Select(Show), scanned.Select(Show));
        }
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await source.ScanAtAsync(5_001, range, CancellationToken.None).ToListAsync());
    }

    [Fact]
    public async Task the_true_state_ignores_the_faults_so_reconciliation_can_find_the_drift()
    {
        await using var faulty = new SimulatedSource("demo", Options(keySpace: 100, maxChanges: 3_000, drop: 200));
        await using var clean = new SimulatedSource("demo", Options(keySpace: 100, maxChanges: 3_000));

        var faultyScan = await faulty.ScanAsync(KeyRange.All, CancellationToken.None).ToListAsync();
        var cleanScan = await clean.ScanAsync(KeyRange.All, CancellationToken.None).ToListAsync();

        Assert.Equal(cleanScan.Select(Show), faultyScan.Select(Show));
        var (emitted, _) = await ReadToEndAsync(faulty, SourcePosition.Start, 500);
        var replay = new Dictionary<string, long>();
        foreach (var change in emitted)
        {
            if (change.Operation == ChangeOperation.Upsert)
            {
                replay[change.Key] = change.SourceVersion;
            }
            else
            {
                replay.Remove(change.Key);
            }
        }
        Assert.NotEqual(cleanScan.ToDictionary(d => d.Key, d => d.SourceVersion), replay);
    }
}
