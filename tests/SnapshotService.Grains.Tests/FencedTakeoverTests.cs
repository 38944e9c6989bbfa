using System.Diagnostics;
using SnapshotService.Log;
using Xunit.Abstractions;

namespace SnapshotService.Grains.Tests;

/// <summary>
/// A fenced source grain resumes as soon as the writer that fenced it is provably gone, not after
/// minutes of silence: the second writer here plays a duplicate activation of the same grain.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class FencedTakeoverTests(ClusterFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task a_fenced_source_stays_stopped_while_the_winner_may_commit_and_takes_over_once_it_retires()
    {
        const string sourceId = "sim-fence-retired";
        var grain = fixture.Cluster.GrainFactory.GetGrain<ISourceGrain>(sourceId);
        var before = await grain.WaitUntilAsync(s => s.CommittedSeq > 10);
        var registry = new WriterRegistry(fixture.Store, sourceId);
        // The duplicate runs on a live silo of this cluster, so nothing proves it gone until it retires.
        await registry.RegisterAsync("duplicate", fixture.Cluster.Primary!.SiloAddress.ToParsableString(), DateTimeOffset.UtcNow, default);
        await FenceAsync(sourceId, "duplicate");
        var fenced = await grain.WaitUntilAsync(s => s.State == SourceState.Failed);
        Assert.Contains("fenced", fenced.FailureReason, StringComparison.Ordinal);
        // The grain's own writer is recorded as retired once its pipeline stopped (next fence-watch tick).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await registry.ReadAsync(before.WriterId, default))?.IsRetired != true)
        {
            Assert.True(DateTime.UtcNow < deadline, $"writer {before.WriterId} was not recorded as retired within 30 s of being fenced");
            await Task.Delay(50);
        }

        // Several fence-watch ticks (1 s each) with the winner alive: no takeover.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var stillFenced = await grain.GetStatusAsync();
        Assert.Equal(SourceState.Failed, stillFenced.State);
        Assert.DoesNotContain(stillFenced.RecentEvents, e => e.Kind == "fenced_takeover");

        var clock = Stopwatch.StartNew();
        var headAtRetire = (await new ExportLogReader(fixture.Store, sourceId).ReadHeadAsync(default)).LastSeq;
        await registry.RetireAsync("duplicate", "deactivated (DuplicateActivation: This grain has been activated elsewhere)", DateTimeOffset.UtcNow, default);
        var resumed = await grain.WaitUntilAsync(s => s.State == SourceState.Running && s.CommittedSeq > headAtRetire);
        output.WriteLine($"capture committed again {clock.Elapsed.TotalSeconds:F1} s after the winner retired");

        Assert.NotEqual(before.WriterId, resumed.WriterId);
        var takeover = Assert.Single(resumed.RecentEvents, e => e.Kind == "fenced_takeover");
        Assert.Contains("'duplicate'", takeover.Message, StringComparison.Ordinal);
        Assert.Contains("stopped for good", takeover.Message, StringComparison.Ordinal);
        var report = await grain.VerifyLogAsync();
        Assert.True(report.Ok, string.Join("; ", report.Problems));
    }

    /// <summary>
    /// Commits as <paramref name="writerId"/> — the source's true next changes, read by its own
    /// reader as a duplicate activation would — until one of its commits wins a number the grain wanted.
    /// </summary>
    private async Task FenceAsync(string sourceId, string writerId)
    {
        var grain = fixture.Cluster.GrainFactory.GetGrain<ISourceGrain>(sourceId);
        await using var source = new Simulated.SimulatedSource(sourceId, TestSources.Options);
        for (var i = 0; i < 200 && (await grain.GetStatusAsync()).State == SourceState.Running; i++)
        {
            try
            {
                // A fresh open each time: the duplicate starts from the head, as a new activation would.
                var intruder = await ExportLog.OpenAsync(fixture.Store, sourceId, new ExportLogOptions { WriterId = writerId }, default);
                var batch = await source.ReadChangesAsync(intruder.Head.Position, 5, default);
                await intruder.AppendAsync(batch.Changes, batch.PositionAfter, default);
            }
            catch (LogFencedException)
            {
                // The grain won this number; try again from the new head.
            }
        }
    }
}
