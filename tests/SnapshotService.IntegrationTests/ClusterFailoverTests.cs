using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using SnapshotService.Log;
using SnapshotService.Simulated;
using SnapshotService.Storage;
using SnapshotService.Testing;
using SnapshotService.Testing.Redis;
using Xunit.Abstractions;

namespace SnapshotService.IntegrationTests;

/// <summary>
/// Cluster mode with real processes: a real redis-server for membership and three host processes
/// (each an Orleans silo) on one export root. The silo that runs the source is SIGKILLed, then the
/// next owner is stopped gracefully (scale-in); each time capture must continue on a survivor within
/// a bounded time, and the log must stay gap-free and exact.
/// </summary>
public sealed class ClusterFailoverTests(ITestOutputHelper output)
{
    private const string SourceId = "clustered";
    private static readonly TimeSpan FailoverBound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task losing_the_silo_that_runs_a_source_moves_capture_to_a_survivor_without_gap_or_duplicate()
    {
        await using var redis = await RedisServer.StartAsync();
        using var store = new TempDirectory("cluster");
        var simulated = new SimulatedSourceOptions { Seed = 77, KeySpace = 5_000, DocumentBytes = 256, ChangesPerSecond = 3_000 };
        var settings = ClusterHosts.SimulatedSourceSettings(SourceId, store.Path, simulated)
            .WithRedisCluster(redis.ConnectionString, "failover");
        settings["SnapshotService:Schedules:MinimumInterval"] = "00:00:01";
        var exportStore = new FileSystemObjectStore(store.Path);
        var hosts = new List<HostProcess>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                hosts.Add(HostProcess.Start(settings));
            }
            foreach (var host in hosts)
            {
                await host.WaitForSourceAsync(SourceId, TimeSpan.FromSeconds(90));
            }
            var alive = new List<HostProcess>(hosts);
            var status = await WaitAsync(alive[0], s => s.IsRunning && s.CommittedSeq > 5_000, "capture to commit 5,000 changes", TimeSpan.FromSeconds(90));
            // A reconciliation schedule: its grain and Redis reminder must survive the silo losses too.
            using (var schedule = await alive[0].Http.PutAsJsonAsync(
                new Uri($"/v1/sources/{SourceId}/schedules/every-3s", UriKind.Relative),
                new { every = "3s", mode = "incremental", repairPolicy = "report_only" }))
            {
                Assert.True(schedule.IsSuccessStatusCode, await schedule.Content.ReadAsStringAsync());
            }
            // Two failovers in a row: three silos, then two, then one. The first owner is SIGKILLed
            // (a lost silo); the second is stopped with SIGTERM (scaling in).
            for (var round = 1; round <= 2; round++)
            {
                var owner = alive.Single(host => status.RunsOn(host.SiloPort));
                alive.Remove(owner);
                var how = round == 1 ? "SIGKILL" : "SIGTERM";
                output.WriteLine($"round {round}: source runs on {status.Silo} (writer {status.WriterId}) at seq {status.CommittedSeq}; stopping that silo with {how}");
                var clock = Stopwatch.StartNew();
                if (round == 1)
                {
                    owner.Kill();
                }
                else
                {
                    await owner.StopAsync(TimeSpan.FromSeconds(60));
                }
                var atKill = (await new ExportLogReader(exportStore, SourceId).ReadHeadAsync(default)).LastSeq;
                var after = await WaitAsync(
                    alive[0],
                    s => s.IsRunning && !s.RunsOn(owner.SiloPort) && s.CommittedSeq > atKill,
                    "capture to continue on a surviving silo",
                    FailoverBound);
                clock.Stop();
                output.WriteLine($"FAILOVER {round} ({how}): capture continued on {after.Silo} (writer {after.WriterId}) after {clock.Elapsed.TotalSeconds:F1} s; seq {atKill} at the kill, {after.CommittedSeq} now");
                Assert.NotEqual(status.WriterId, after.WriterId);
                Assert.Contains(alive, host => after.RunsOn(host.SiloPort));
                status = await WaitAsync(alive[0], s => s.CommittedSeq > after.CommittedSeq + 3_000, "capture to go on after the failover", TimeSpan.FromSeconds(60));
            }

            var last = alive.Single();
            var lastFailover = DateTimeOffset.UtcNow;
            await WaitForScheduledRunAfterAsync(last, lastFailover);
            var snapshotSeq = await ClusterHosts.CreateSnapshotAsync(last, SourceId);
            output.WriteLine($"verifyLog: {await ClusterHosts.VerifyLogAsync(last, SourceId)}");
            await last.StopAsync(TimeSpan.FromSeconds(60));

            var committed = await SimulatedExportAssertions.AssertLogEqualsHistoryAsync(exportStore, SourceId, simulated);
            await SimulatedExportAssertions.AssertStateAtEqualsHistoryAsync(exportStore, SourceId, simulated, snapshotSeq);
            output.WriteLine($"log of {committed} changes equals the source's history; snapshot at seq {snapshotSeq} equals the source state then");
        }
        catch
        {
            foreach (var host in hosts)
            {
                output.WriteLine($"--- host on silo port {host.SiloPort} ---\n{host.Output}");
            }
            throw;
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    /// <summary>The schedule fired (and its run finished) on the last silo after the last failover.</summary>
    private async Task WaitForScheduledRunAfterAsync(HostProcess host, DateTimeOffset after)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        string body;
        do
        {
            await Task.Delay(500);
            body = await host.Http.GetStringAsync(new Uri($"/v1/sources/{SourceId}/schedules", UriKind.Relative));
            var schedule = JsonDocument.Parse(body).RootElement.GetProperty("schedules")[0];
            if (schedule.TryGetProperty("lastFireTime", out var fired) && fired.GetDateTimeOffset() > after
                && schedule.GetProperty("lastOutcome").GetString() == "succeeded")
            {
                output.WriteLine($"schedule fired after the failovers: {schedule}");
                return;
            }
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"The schedule did not fire after the failovers: {body}");
    }

    private Task<SourceView> WaitAsync(HostProcess host, Func<SourceView, bool> condition, string what, TimeSpan timeout) =>
        ClusterHosts.WaitForSourceAsync(host, SourceId, condition, what, timeout, ex =>
        {
            // A call routed to the dead silo fails until membership catches up: with 503
            // (UNAVAILABLE, retryable), never as an internal error.
            output.WriteLine($"GetSource: {ex.Message}");
            Assert.True(ex.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable, $"GetSource failed during the failover with other than 503: {ex.Message}");
        });
}
