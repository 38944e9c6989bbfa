using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Driver;
using SnapshotService.Compliance;
using SnapshotService.Sources.Mongo;
using SnapshotService.Storage;
using SnapshotService.Testing;
using SnapshotService.Testing.Mongo;
using Xunit.Abstractions;

namespace SnapshotService.IntegrationTests;

/// <summary>
/// The MongoDB source with real processes: the host is SIGKILLed during the initial backfill and
/// during streaming while a client keeps writing through the real driver; after the last restart
/// the export must equal the collection, with no change captured twice and a gap-free log.
/// </summary>
public sealed class MongoCrashRecoveryTests(ITestOutputHelper output)
{
    private const string SourceId = "orders";
    private const string Database = "shop";
    private const string Collection = "orders";
    private const int InitialDocuments = 4_000;

    [Fact]
    public async Task sigkill_mid_backfill_and_mid_stream_loses_nothing_and_duplicates_nothing()
    {
        await using var server = await MongoWireServer.StartAsync();
        var collection = new MongoClient(server.ConnectionString).GetDatabase(Database).GetCollection<BsonDocument>(Collection);
        await collection.InsertManyAsync(Enumerable.Range(0, InitialDocuments).Select(i => Document(i, 0)));
        using var store = new TempDirectory("mongo-crash");
        var settings = HostSettings(store.Path, server.ConnectionString);

        using var stopWrites = new CancellationTokenSource();
        var writes = Task.Run(() => WriteAsync(collection, stopWrites.Token));
        var random = new Random(20261124);
        for (var kill = 1; kill <= 6; kill++)
        {
            await using var host = HostProcess.Start(settings);
            // The first kills land in the backfill (small chunks make it take seconds), later ones in the stream.
            var after = TimeSpan.FromMilliseconds(random.Next(400, 2_500));
            await Task.Delay(after);
            host.Kill();
            output.WriteLine($"kill {kill} after {after.TotalMilliseconds:F0} ms");
        }
        await stopWrites.CancelAsync();
        var written = await writes;
        output.WriteLine($"{written} writes while the host was being killed");

        await using var last = HostProcess.Start(settings);
        await last.WaitForSourceAsync(SourceId, TimeSpan.FromSeconds(60));
        var exportStore = new FileSystemObjectStore(store.Path);
        await using var scanner = new MongoChangeSource("scanner", Options(server.ConnectionString));
        var difference = await ExportComparison.WaitUntilEqualAsync(exportStore, SourceId, scanner, TimeSpan.FromMinutes(1));
        Assert.True(difference.Length == 0, $"The export did not converge to the collection: {difference}\n{last.Output}");
        Assert.Empty(await ExportComparison.DuplicateCapturesAsync(exportStore, SourceId));

        using var verify = await last.Http.PostAsJsonAsync(new Uri($"/v1/sources/{SourceId}:verifyLog", UriKind.Relative), new { });
        var report = JsonDocument.Parse(await verify.Content.ReadAsStringAsync()).RootElement;
        Assert.True(report.GetProperty("ok").GetBoolean(), report.ToString());
        using var snapshot = await last.Http.PostAsJsonAsync(new Uri($"/v1/sources/{SourceId}/snapshots", UriKind.Relative), new { });
        Assert.True(snapshot.IsSuccessStatusCode, await snapshot.Content.ReadAsStringAsync());
        var rows = JsonDocument.Parse(await snapshot.Content.ReadAsStringAsync()).RootElement;
        output.WriteLine($"snapshot after the last restart: {rows}");
        await last.StopAsync(TimeSpan.FromSeconds(30));
    }

    private static async Task<int> WriteAsync(IMongoCollection<BsonDocument> collection, CancellationToken stop)
    {
        var random = new Random(7);
        var count = 0;
        while (!stop.IsCancellationRequested)
        {
            var id = random.Next(InitialDocuments + 500);
            var roll = random.Next(10);
            var filter = Builders<BsonDocument>.Filter.Eq("_id", Key(id));
            if (roll == 0)
            {
                await collection.DeleteOneAsync(filter, CancellationToken.None);
            }
            else
            {
                await collection.ReplaceOneAsync(filter, Document(id, count), new ReplaceOptions { IsUpsert = true }, CancellationToken.None);
            }
            count++;
            await Task.Delay(2, CancellationToken.None);
        }
        return count;
    }

    private static string Key(int i) => "o" + i.ToString("D6", CultureInfo.InvariantCulture);

    private static BsonDocument Document(int i, int version) => new()
    {
        ["_id"] = Key(i),
        ["customer"] = $"c{i % 97}",
        ["total"] = new BsonDecimal128(i * 1.25m + version),
        ["version"] = version,
        ["at"] = new BsonDateTime(new DateTime(2026, 11, 24, 0, 0, 0, DateTimeKind.Utc).AddSeconds(version)),
    };

    private static MongoSourceOptions Options(string connectionString) => new()
    {
        ConnectionString = connectionString,
        Database = Database,
        Collection = Collection,
    };

    private static Dictionary<string, string> HostSettings(string storeRoot, string connectionString) => new()
    {
        ["SnapshotService:Export:Root"] = storeRoot,
        [$"SnapshotService:Sources:{SourceId}:Kind"] = "mongodb",
        [$"SnapshotService:Sources:{SourceId}:Mongo:ConnectionString"] = connectionString,
        [$"SnapshotService:Sources:{SourceId}:Mongo:Database"] = Database,
        [$"SnapshotService:Sources:{SourceId}:Mongo:Collection"] = Collection,
        [$"SnapshotService:Sources:{SourceId}:Mongo:ChunkSize"] = "100",
        ["SnapshotService:Capture:MaxCommitDelay"] = "00:00:00.050",
        ["Logging:LogLevel:Default"] = "Warning",
    };
}
