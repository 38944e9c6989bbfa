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
/// History lost (the oplog rolled past the saved resume token while the host was down): the source
/// re-backfills, then the service runs a full reconciliation with repair on its own — deletes made
/// during the outage, which no backfill can see, are tombstoned — and a dry run afterwards finds no drift.
/// </summary>
public sealed class MongoHistoryLossTests(ITestOutputHelper output)
{
    private const string SourceId = "accounts";

    [Fact]
    public async Task lost_history_is_rebackfilled_and_reconciled_to_zero_residual_drift()
    {
        await using var server = await MongoWireServer.StartAsync();
        var collection = new MongoClient(server.ConnectionString).GetDatabase("bank").GetCollection<BsonDocument>("accounts");
        await collection.InsertManyAsync(Enumerable.Range(0, 500).Select(i => Account(i, 0)));
        using var store = new TempDirectory("mongo-history-loss");
        var settings = new Dictionary<string, string>
        {
            ["SnapshotService:Export:Root"] = store.Path,
            [$"SnapshotService:Sources:{SourceId}:Kind"] = "mongodb",
            [$"SnapshotService:Sources:{SourceId}:Mongo:ConnectionString"] = server.ConnectionString,
            [$"SnapshotService:Sources:{SourceId}:Mongo:Database"] = "bank",
            [$"SnapshotService:Sources:{SourceId}:Mongo:Collection"] = "accounts",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var exportStore = new FileSystemObjectStore(store.Path);
        await using var scanner = new MongoChangeSource("scanner", new MongoSourceOptions { ConnectionString = server.ConnectionString, Database = "bank", Collection = "accounts" });

        await using (var first = HostProcess.Start(settings))
        {
            await first.WaitForSourceAsync(SourceId, TimeSpan.FromSeconds(60));
            await WaitUntilEqualAsync(exportStore, scanner, first);
            await first.StopAsync(TimeSpan.FromSeconds(30));
        }

        // The outage: updates, inserts and deletes, then the oplog keeps only the newest entry.
        for (var i = 0; i < 100; i++)
        {
            await collection.ReplaceOneAsync(Builders<BsonDocument>.Filter.Eq("_id", Key(i)), Account(i, 1));
        }
        await collection.DeleteManyAsync(Builders<BsonDocument>.Filter.In("_id", Enumerable.Range(100, 50).Select(Key)));
        await collection.InsertManyAsync(Enumerable.Range(500, 50).Select(i => Account(i, 0)));
        server.Faults.KeepLastOplogEntries(1);

        await using var second = HostProcess.Start(settings);
        await second.WaitForSourceAsync(SourceId, TimeSpan.FromSeconds(60));
        var events = await WaitForEventAsync(second, "reconciliation_finished");
        output.WriteLine(events.ToString());
        var kinds = events.EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();
        Assert.Contains("history_lost", kinds);
        var message = events.EnumerateArray().First(e => e.GetProperty("kind").GetString() == "reconciliation_finished").GetProperty("message").GetString()!;
        var reportId = message.Split("drift report ")[1];
        var report = JsonDocument.Parse(await second.Http.GetStringAsync(new Uri($"/v1/sources/{SourceId}/driftReports/{reportId}", UriKind.Relative))).RootElement;
        output.WriteLine(report.ToString());
        Assert.False(report.GetProperty("dryRun").GetBoolean());
        // The 50 deletes of the outage are invisible to a backfill; the reconciliation tombstoned them.
        Assert.Equal("50", report.GetProperty("repairedCount").GetString());

        await WaitUntilEqualAsync(exportStore, scanner, second);
        using var dryRun = await second.Http.PostAsJsonAsync(new Uri($"/v1/sources/{SourceId}/reconciliations", UriKind.Relative), new { mode = "full", dryRun = true });
        var check = JsonDocument.Parse(await dryRun.Content.ReadAsStringAsync()).RootElement;
        Assert.True(dryRun.IsSuccessStatusCode, check.ToString());
        output.WriteLine(check.ToString());
        Assert.Equal("0", check.GetProperty("driftTotal").GetString());
        await second.StopAsync(TimeSpan.FromSeconds(30));
    }

    private static async Task<JsonElement> WaitForEventAsync(HostProcess host, string kind)
    {
        for (var attempt = 0; attempt < 240; attempt++)
        {
            using var response = await host.Http.GetAsync(new Uri($"/v1/sources/{SourceId}", UriKind.Relative));
            if (response.IsSuccessStatusCode)
            {
                var source = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                if (source.TryGetProperty("recentEvents", out var events) && events.EnumerateArray().Any(e => e.GetProperty("kind").GetString() == kind))
                {
                    return events.Clone();
                }
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"No '{kind}' event within a minute.\n{host.Output}");
    }

    private static async Task WaitUntilEqualAsync(FileSystemObjectStore store, MongoChangeSource scanner, HostProcess host)
    {
        var difference = await ExportComparison.WaitUntilEqualAsync(store, SourceId, scanner, TimeSpan.FromMinutes(1));
        Assert.True(difference.Length == 0, $"The export did not converge to the collection: {difference}\n{host.Output}");
    }

    private static string Key(int i) => "a" + i.ToString("D5", CultureInfo.InvariantCulture);

    private static BsonDocument Account(int i, int version) => new() { ["_id"] = Key(i), ["balance"] = (long)i * 100 + version, ["v"] = version };
}
