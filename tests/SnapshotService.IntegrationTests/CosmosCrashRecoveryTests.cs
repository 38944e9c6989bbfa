using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using SnapshotService.Compliance;
using SnapshotService.Sources.Cosmos;
using SnapshotService.Storage;
using SnapshotService.Testing;
using SnapshotService.Testing.Cosmos;
using Xunit.Abstractions;

namespace SnapshotService.IntegrationTests;

/// <summary>
/// The Cosmos DB source with real processes: a container with four feed ranges, a client writing
/// through the real SDK, and the host SIGKILLed during the initial load and mid-feed. After the
/// last restart the export must equal the container, with no change captured twice.
/// (Latest-version mode and upserts only: its feed never shows deletes, see docs/sources/cosmos.md.)
/// </summary>
public sealed class CosmosCrashRecoveryTests(ITestOutputHelper output)
{
    private const string SourceId = "items";
    private const string Database = "shop";
    private const string ContainerName = "items";

    [Fact]
    public async Task sigkill_mid_feed_with_four_feed_ranges_loses_nothing_and_duplicates_nothing()
    {
        await using var server = await CosmosGatewayServer.StartAsync(partitionKeyRanges: 4);
        using var client = new CosmosClient(server.Endpoint.ToString(), server.Key, new CosmosClientOptions
        {
            ConnectionMode = ConnectionMode.Gateway,
            LimitToEndpoint = true,
            ServerCertificateCustomValidationCallback = server.ValidateServerCertificate,
        });
        var database = (await client.CreateDatabaseAsync(Database)).Database;
        var container = (await database.CreateContainerAsync(ContainerName, "/pk")).Container;
        for (var i = 0; i < 1_500; i++)
        {
            await UpsertAsync(container, i, 0);
        }
        using var store = new TempDirectory("cosmos-crash");
        var settings = HostSettings(store.Path, server);

        using var stopWrites = new CancellationTokenSource();
        var writes = Task.Run(() => WriteAsync(container, stopWrites.Token));
        var random = new Random(20261125);
        for (var kill = 1; kill <= 5; kill++)
        {
            await using var host = HostProcess.Start(settings);
            var after = TimeSpan.FromMilliseconds(random.Next(500, 3_000));
            await Task.Delay(after);
            host.Kill();
            output.WriteLine($"kill {kill} after {after.TotalMilliseconds:F0} ms");
        }
        await stopWrites.CancelAsync();
        output.WriteLine($"{await writes} writes while the host was being killed");

        await using var last = HostProcess.Start(settings);
        await last.WaitForSourceAsync(SourceId, TimeSpan.FromSeconds(60));
        var exportStore = new FileSystemObjectStore(store.Path);
        await using var scanner = new CosmosChangeSource("scanner", Options(server));
        var difference = await ExportComparison.WaitUntilEqualAsync(exportStore, SourceId, scanner, TimeSpan.FromMinutes(1));
        Assert.True(difference.Length == 0, $"The export did not converge to the container: {difference}\n{last.Output}");
        Assert.Empty(await ExportComparison.DuplicateCapturesAsync(exportStore, SourceId));
        using var verify = await last.Http.PostAsJsonAsync(new Uri($"/v1/sources/{SourceId}:verifyLog", UriKind.Relative), new { });
        var report = JsonDocument.Parse(await verify.Content.ReadAsStringAsync()).RootElement;
        Assert.True(report.GetProperty("ok").GetBoolean(), report.ToString());
        await last.StopAsync(TimeSpan.FromSeconds(30));
    }

    private static async Task<int> WriteAsync(Container container, CancellationToken stop)
    {
        var random = new Random(3);
        var count = 0;
        while (!stop.IsCancellationRequested)
        {
            await UpsertAsync(container, random.Next(2_000), count);
            count++;
            await Task.Delay(3, CancellationToken.None);
        }
        return count;
    }

    private static async Task UpsertAsync(Container container, int i, int version)
    {
        var pk = $"p{i % 13}";
        using var response = await container.UpsertItemStreamAsync(
            new MemoryStream(Encoding.UTF8.GetBytes($$"""{"id":"i{{i:D5}}","pk":"{{pk}}","n":{{i}},"v":{{version}}}""")), new PartitionKey(pk));
        Assert.True(response.IsSuccessStatusCode, response.ErrorMessage);
    }

    private static CosmosSourceOptions Options(CosmosGatewayServer server) => new()
    {
        Endpoint = server.Endpoint.ToString(),
        Database = Database,
        Container = ContainerName,
        AuthMode = CosmosAuthMode.Key,
        Key = server.Key,
        ConnectionMode = CosmosConnectionMode.Gateway,
        LimitToEndpoint = true,
        ServerCertificateThumbprint = server.CertificateThumbprint,
    };

    private static Dictionary<string, string> HostSettings(string storeRoot, CosmosGatewayServer server)
    {
        var settings = server.SourceSettings(SourceId, Database, ContainerName);
        settings["SnapshotService:Export:Root"] = storeRoot;
        settings["SnapshotService:Capture:MaxCommitDelay"] = "00:00:00.050";
        settings["Logging:LogLevel:Default"] = "Warning";
        return settings;
    }
}
