using SnapshotService.Log;
using SnapshotService.Simulated;
using SnapshotService.Storage;
using SnapshotService.Testing;
using SnapshotService.Testing.Redis;
using Xunit.Abstractions;

namespace SnapshotService.IntegrationTests;

/// <summary>
/// Redis holds only membership and reminders, never export data: while it is down, running silos
/// keep capturing with the membership they know; once it is back (restarted with its data, as a
/// managed Redis fails over to its replica), a silo loss is survived again.
/// </summary>
public sealed class ClusterRedisOutageTests(ITestOutputHelper output)
{
    private const string SourceId = "redisless";

    private static readonly TimeSpan OutageLength = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task capture_goes_on_while_redis_is_down_and_failover_works_again_once_it_is_back()
    {
        using var redisData = new TempDirectory("redis-data");
        var redis = await RedisServer.StartAsync(dataDirectory: redisData.Path);
        using var store = new TempDirectory("redis-outage");
        var exportStore = new FileSystemObjectStore(store.Path);
        var simulated = new SimulatedSourceOptions { Seed = 5, KeySpace = 5_000, DocumentBytes = 256, ChangesPerSecond = 2_000 };
        var settings = ClusterHosts.SimulatedSourceSettings(SourceId, store.Path, simulated)
            .WithRedisCluster(redis.ConnectionString, "outage");
        await using var first = HostProcess.Start(settings);
        await using var second = HostProcess.Start(settings);
        try
        {
            await first.WaitForSourceAsync(SourceId, TimeSpan.FromSeconds(90));
            await second.WaitForSourceAsync(SourceId, TimeSpan.FromSeconds(90));
            var clients = await redis.ConnectedClientsAsync();
            var port = redis.Port;
            await redis.DisposeAsync();
            var atOutage = await HeadAsync(exportStore);
            output.WriteLine($"redis killed at seq {atOutage} ({clients} client connections before)");
            // The fault: an outage of several membership refresh periods (2 s each), not a wait for anything.
            await Task.Delay(OutageLength);
            var duringOutage = await ClusterHosts.WaitForSourceAsync(
                first,
                SourceId,
                s => s.IsRunning && s.CommittedSeq > atOutage + 5_000,
                "capture to go on while Redis is down",
                TimeSpan.FromSeconds(60));
            output.WriteLine($"{OutageLength.TotalSeconds:F0} s or more without redis: {duringOutage}");

            redis = await RedisServer.StartAsync(port, redisData.Path);
            output.WriteLine("redis restarted with its data");
            // "Once it is back" means once the silos are connected to it again, as many connections as before.
            await Eventually.TrueAsync(async () => await redis.ConnectedClientsAsync() >= clients, $"both silos reconnect to Redis ({clients} connections)", TimeSpan.FromSeconds(90));
            var status = await ClusterHosts.GetSourceAsync(first, SourceId);
            output.WriteLine($"silos reconnected: {status}");
            var owner = status.RunsOn(first.SiloPort) ? first : second;
            var survivor = owner == first ? second : first;
            owner.Kill();
            var atKill = await HeadAsync(exportStore);
            var after = await ClusterHosts.WaitForSourceAsync(
                survivor,
                SourceId,
                s => s.IsRunning && s.RunsOn(survivor.SiloPort) && s.CommittedSeq > atKill,
                "capture to move to the survivor after Redis came back",
                TimeSpan.FromSeconds(90),
                ex => output.WriteLine(ex.Message));
            output.WriteLine($"failover after the outage: {after}");
            output.WriteLine($"verifyLog: {await ClusterHosts.VerifyLogAsync(survivor, SourceId)}");
            await survivor.StopAsync(TimeSpan.FromSeconds(60));
            await SimulatedExportAssertions.AssertLogEqualsHistoryAsync(exportStore, SourceId, simulated);
        }
        catch
        {
            output.WriteLine($"--- first ---\n{first.Output}\n--- second ---\n{second.Output}");
            throw;
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    private static async Task<long> HeadAsync(IObjectStore store) =>
        (await new ExportLogReader(store, SourceId).ReadHeadAsync(default)).LastSeq;
}
