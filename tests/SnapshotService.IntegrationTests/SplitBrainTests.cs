using SnapshotService.Log;
using SnapshotService.Simulated;
using SnapshotService.Storage;
using SnapshotService.Testing;
using Xunit.Abstractions;

namespace SnapshotService.IntegrationTests;

/// <summary>
/// Invariant 3 (fencing) with real processes: two independent clusters (two single-silo hosts that
/// cannot see each other) run the same source against one export root, as a split brain or a
/// misconfigured second deployment would. Exactly one may commit; the other must report the fence
/// and stop, and the log must stay the source's exact, gap-free history.
/// </summary>
public sealed class SplitBrainTests(ITestOutputHelper output)
{
    private const string SourceId = "contested";

    [Theory]
    [InlineData(0)]
    [InlineData(3_000)]
    public async Task two_clusters_on_one_export_root_leave_exactly_one_writer_and_a_fenced_loser_that_stops(long secondStartsAfterSeq)
    {
        using var store = new TempDirectory("split-brain");
        var exportStore = new FileSystemObjectStore(store.Path);
        var simulated = new SimulatedSourceOptions { Seed = 99, KeySpace = 5_000, DocumentBytes = 256, ChangesPerSecond = 3_000 };
        var settings = ClusterHosts.SimulatedSourceSettings(SourceId, store.Path, simulated);
        // Both at once (both open an empty log) or the second later (it opens a log the first is extending).
        await using var first = HostProcess.Start(settings);
        if (secondStartsAfterSeq > 0)
        {
            await first.WaitForSourceAsync(SourceId, TimeSpan.FromSeconds(90));
            while ((await ClusterHosts.GetSourceAsync(first, SourceId)).CommittedSeq < secondStartsAfterSeq)
            {
                await Task.Delay(100);
            }
        }
        await using var second = HostProcess.Start(settings);
        try
        {
            await first.WaitForSourceAsync(SourceId, TimeSpan.FromSeconds(90));
            await second.WaitForSourceAsync(SourceId, TimeSpan.FromSeconds(90));
            var (winner, loser, loserStatus) = await WaitForFenceAsync(first, second, TimeSpan.FromSeconds(60));
            output.WriteLine($"fenced: {loserStatus.FailureReason}");
            Assert.Contains("fenced", loserStatus.FailureReason, StringComparison.Ordinal);
            var winnerStatus = await ClusterHosts.GetSourceAsync(winner, SourceId);
            Assert.True(winnerStatus.IsRunning, $"The winner is not running: {winnerStatus}");
            Assert.Contains(winnerStatus.WriterId, loserStatus.FailureReason, StringComparison.Ordinal);

            // The loser stays stopped while the winner goes on committing.
            var target = winnerStatus.CommittedSeq + 5_000;
            while ((await ClusterHosts.GetSourceAsync(winner, SourceId)).CommittedSeq < target)
            {
                await Task.Delay(200);
            }
            var loserLater = await ClusterHosts.GetSourceAsync(loser, SourceId);
            Assert.Equal("SOURCE_STATE_FAILED", loserLater.State);
            Assert.Equal(loserStatus.CommittedSeq, loserLater.CommittedSeq);
            output.WriteLine($"verifyLog: {await ClusterHosts.VerifyLogAsync(winner, SourceId)}");
            await winner.StopAsync(TimeSpan.FromSeconds(60));
            await loser.StopAsync(TimeSpan.FromSeconds(60));

            await AssertNoCommitOfTheLoserAfterTheWinnersFirstAsync(exportStore, winnerStatus.WriterId, loserStatus.WriterId);
            var committed = await SimulatedExportAssertions.AssertLogEqualsHistoryAsync(exportStore, SourceId, simulated);
            output.WriteLine($"log of {committed} changes equals the source's history");
        }
        catch
        {
            output.WriteLine($"--- first host ---\n{first.Output}\n--- second host ---\n{second.Output}");
            throw;
        }
    }

    private static async Task<(HostProcess Winner, HostProcess Loser, SourceView LoserStatus)> WaitForFenceAsync(HostProcess first, HostProcess second, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var a = await ClusterHosts.GetSourceAsync(first, SourceId);
            var b = await ClusterHosts.GetSourceAsync(second, SourceId);
            Assert.False(a.State == "SOURCE_STATE_FAILED" && b.State == "SOURCE_STATE_FAILED", $"Both writers stopped: {a} / {b}");
            if (a.State == "SOURCE_STATE_FAILED")
            {
                return (second, first, a);
            }
            if (b.State == "SOURCE_STATE_FAILED")
            {
                return (first, second, b);
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Neither writer was fenced within {timeout}: {a} / {b}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Once the winner has committed, every later commit is the winner's: the two never interleave.</summary>
    private static async Task AssertNoCommitOfTheLoserAfterTheWinnersFirstAsync(IObjectStore store, string winnerId, string loserId)
    {
        var reader = new ExportLogReader(store, SourceId);
        var head = await reader.ReadHeadAsync(default);
        var winnerSeen = false;
        for (long number = 1; number <= head.CommitNumber; number++)
        {
            var commit = await reader.ReadCommitAsync(number, default) ?? throw new InvalidOperationException($"Commit {number} is missing.");
            Assert.True(commit.WriterId == winnerId || commit.WriterId == loserId, $"Commit {number} was written by an unknown writer {commit.WriterId}.");
            winnerSeen |= commit.WriterId == winnerId;
            Assert.False(winnerSeen && commit.WriterId == loserId, $"Commit {number} is the fenced writer's although the winner committed before it.");
        }
        Assert.True(winnerSeen, "The winner never committed.");
    }
}
