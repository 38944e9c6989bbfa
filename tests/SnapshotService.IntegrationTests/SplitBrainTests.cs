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
/// and stop while the winner lives, take over once the winner is gone and the log has been silent
/// for FencedTakeoverAfter, and the log must stay the source's exact, gap-free history throughout.
/// </summary>
public sealed class SplitBrainTests(ITestOutputHelper output)
{
    private const string SourceId = "contested";

    [Theory]
    [InlineData(0)]
    [InlineData(3_000)]
    public async Task two_clusters_on_one_export_root_leave_exactly_one_writer_and_a_fenced_loser_that_stops_until_the_winner_is_gone(long secondStartsAfterSeq)
    {
        using var store = new TempDirectory("split-brain");
        var exportStore = new FileSystemObjectStore(store.Path);
        var simulated = new SimulatedSourceOptions { Seed = 99, KeySpace = 5_000, DocumentBytes = 256, ChangesPerSecond = 3_000 };
        var settings = ClusterHosts.SimulatedSourceSettings(SourceId, store.Path, simulated);
        settings["SnapshotService:Capture:FencedTakeoverAfter"] = "00:00:03";
        // Both at once (both open an empty log) or the second later (it opens a log the first is extending).
        await using var first = HostProcess.Start(settings);
        if (secondStartsAfterSeq > 0)
        {
            await first.WaitForSourceAsync(SourceId, TimeSpan.FromSeconds(90));
            await ClusterHosts.WaitForSourceAsync(first, SourceId, s => s.CommittedSeq >= secondStartsAfterSeq, $"the first writer to commit {secondStartsAfterSeq} changes", TimeSpan.FromSeconds(60));
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
            await ClusterHosts.WaitForSourceAsync(winner, SourceId, s => s.CommittedSeq >= target, "the winner to commit 5,000 more changes", TimeSpan.FromSeconds(60));
            var loserLater = await ClusterHosts.GetSourceAsync(loser, SourceId);
            Assert.Equal("SOURCE_STATE_FAILED", loserLater.State);
            Assert.Equal(loserStatus.CommittedSeq, loserLater.CommittedSeq);

            // The winner dies: once the log has been silent long enough, the fenced side takes over.
            winner.Kill();
            var commitsAtKill = (await new ExportLogReader(exportStore, SourceId).ReadHeadAsync(default)).CommitNumber;
            var resumed = await ClusterHosts.WaitForSourceAsync(
                loser,
                SourceId,
                s => s.IsRunning && s.CommittedSeq > loserLater.CommittedSeq + 1_000,
                "the fenced writer to take over after the winner died",
                TimeSpan.FromSeconds(60));
            output.WriteLine($"taken over by a new writer {resumed.WriterId} at seq {resumed.CommittedSeq}");
            output.WriteLine($"verifyLog: {await ClusterHosts.VerifyLogAsync(loser, SourceId)}");
            await loser.StopAsync(TimeSpan.FromSeconds(60));

            await AssertWritersTookTurnsAsync(exportStore, winnerStatus.WriterId, commitsAtKill);
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

    /// <summary>
    /// The writers never interleave: before the winner's kill every commit after the winner's first
    /// is the winner's; after it, every commit is the taking-over writer's.
    /// </summary>
    private static async Task AssertWritersTookTurnsAsync(IObjectStore store, string winnerId, long commitsAtKill)
    {
        var reader = new ExportLogReader(store, SourceId);
        var head = await reader.ReadHeadAsync(default);
        var winnerSeen = false;
        string? takeoverWriter = null;
        for (long number = 1; number <= head.CommitNumber; number++)
        {
            var commit = await reader.ReadCommitAsync(number, default) ?? throw new InvalidOperationException($"Commit {number} is missing.");
            if (number <= commitsAtKill)
            {
                winnerSeen |= commit.WriterId == winnerId;
                Assert.False(winnerSeen && commit.WriterId != winnerId, $"Commit {number} is by {commit.WriterId} although the winner {winnerId} committed before it and still lived.");
            }
            else
            {
                takeoverWriter ??= commit.WriterId;
                Assert.NotEqual(winnerId, commit.WriterId);
                Assert.Equal(takeoverWriter, commit.WriterId);
            }
        }
        Assert.True(winnerSeen, "The winner never committed.");
        Assert.NotNull(takeoverWriter);
    }
}
