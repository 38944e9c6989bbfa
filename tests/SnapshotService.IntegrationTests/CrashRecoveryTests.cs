using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using SnapshotService.Log;
using SnapshotService.Simulated;
using SnapshotService.Storage;
using SnapshotService.Storage.AzureBlob;
using SnapshotService.Testing;
using SnapshotService.Testing.Azurite;
using Xunit.Abstractions;

namespace SnapshotService.IntegrationTests;

/// <summary>
/// Invariant 2 (exactly-once effect) with real processes: the host is SIGKILLed at random moments
/// (during start-up, recovery and capture), restarted each time, and the log must end up exactly
/// as an uninterrupted run would have written it — on the file-system store and on Azure Blob
/// Storage (a real Azurite), whose put-if-absent is the service's If-None-Match: *.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    private const string SourceId = "crashy";
    private const int Kills = 20;

    [Theory]
    [InlineData("FileSystem", 200_000)]
    [InlineData("AzureBlob", 50_000)]
    public async Task sigkill_at_random_moments_leaves_a_gap_free_log_equal_to_the_deterministic_source(string storeKind, long minimumChanges)
    {
        using var directory = new TempDirectory("crash");
        await using var azurite = storeKind == "AzureBlob" ? await AzuriteServer.StartAsync() : null;
        var simulated = new SimulatedSourceOptions { Seed = 1234, KeySpace = 50_000, DocumentBytes = 256, ChangesPerSecond = 0 };
        var settings = HostSettings(simulated);
        IObjectStore exportStore;
        if (azurite is null)
        {
            settings["SnapshotService:Export:Root"] = directory.Path;
            exportStore = new FileSystemObjectStore(directory.Path);
        }
        else
        {
            var blob = new AzureBlobStoreOptions { ConnectionString = azurite.ConnectionString, Container = "crash-recovery" };
            settings["SnapshotService:Export:Kind"] = "AzureBlob";
            settings["SnapshotService:Export:AzureBlob:ConnectionString"] = blob.ConnectionString;
            settings["SnapshotService:Export:AzureBlob:Container"] = blob.Container;
            exportStore = AzureBlobObjectStore.Create(blob);
        }
        var random = new Random(20261123);

        long committed = 0;
        var kills = 0;
        while (kills < Kills || committed < minimumChanges)
        {
            await using var host = HostProcess.Start(settings);
            // Some kills land before the host is ready (start-up, log recovery), most during capture:
            // those wait until the host serves the source first, since on a busy machine start-up
            // alone can outlast any fixed moment and capture would then never be hit.
            var duringCapture = random.Next(4) != 0;
            if (duringCapture)
            {
                await host.WaitForSourceAsync(SourceId, TimeSpan.FromSeconds(60));
            }
            // The fault: a random moment, not a wait for anything.
            var killAfter = TimeSpan.FromMilliseconds(random.Next(200, 4_000));
            await Task.Delay(killAfter);
            host.Kill();
            kills++;
            var head = await new ExportLogReader(exportStore, SourceId).ReadHeadAsync(default);
            output.WriteLine($"kill {kills} {killAfter.TotalMilliseconds:F0} ms after {(duringCapture ? "capture started" : "the start")}: committed seq {head.LastSeq} (+{head.LastSeq - committed})");
            Assert.True(head.LastSeq >= committed, "The committed seq went backwards after a crash.");
            committed = head.LastSeq;
            Assert.True(kills < 200, $"Only {committed} changes committed after {kills} kills; capture is not making progress.");
        }

        await using (var last = HostProcess.Start(settings))
        {
            await last.WaitForSourceAsync(SourceId, TimeSpan.FromSeconds(60));
            using var verify = await last.Http.PostAsJsonAsync(new Uri($"/v1/sources/{SourceId}:verifyLog", UriKind.Relative), new { });
            var body = await verify.Content.ReadAsStringAsync();
            Assert.True(verify.IsSuccessStatusCode, body);
            var report = JsonDocument.Parse(body).RootElement;
            output.WriteLine($"verifyLog: {body}");
            Assert.True(report.GetProperty("ok").GetBoolean(), body);
            await last.StopAsync(TimeSpan.FromSeconds(30));
        }

        var committedChanges = await SimulatedExportAssertions.AssertLogEqualsHistoryAsync(exportStore, SourceId, simulated);
        Assert.True(committedChanges >= minimumChanges, $"Only {committedChanges} changes were committed.");
    }

    private static Dictionary<string, string> HostSettings(SimulatedSourceOptions simulated) => new()
    {
        [$"SnapshotService:Sources:{SourceId}:Kind"] = "simulated",
        [$"SnapshotService:Sources:{SourceId}:Simulated:Seed"] = simulated.Seed.ToString(CultureInfo.InvariantCulture),
        [$"SnapshotService:Sources:{SourceId}:Simulated:KeySpace"] = simulated.KeySpace.ToString(CultureInfo.InvariantCulture),
        [$"SnapshotService:Sources:{SourceId}:Simulated:DocumentBytes"] = simulated.DocumentBytes.ToString(CultureInfo.InvariantCulture),
        [$"SnapshotService:Sources:{SourceId}:Simulated:ChangesPerSecond"] = "0",
        ["SnapshotService:Capture:MaxCommitChanges"] = "2000",
        ["Logging:LogLevel:Default"] = "Warning",
    };
}
