using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using MongoDB.Bson;
using MongoDB.Driver;
using SnapshotService.Testing.Cosmos;
using SnapshotService.Testing.Mongo;

namespace SnapshotService.Scenarios;

/// <summary>One document the scenario writer puts: its key, the writer's change number, and its shape.</summary>
/// <param name="Key">Document key (Mongo <c>_id</c> string, Cosmos <c>id</c> with partition key path <c>/id</c>: both are the export key as is).</param>
/// <param name="Change">The writer's change number, stored as the string field <c>w</c> (a string so it is plain JSON in Mongo's canonical Extended JSON too).</param>
/// <param name="NewShape">After the schema change: an extra field <see cref="ScenarioDatabase.NewField"/>.</param>
/// <param name="Poison">Padded beyond the lowered MaxDocumentBytes: a dead letter.</param>
public sealed record WriterDocument(string Key, long Change, bool NewShape, bool Poison)
{
    public string Name => "customer-" + Key;

    public string Pad => Poison ? new string('x', ScenarioDatabase.PoisonPadBytes) : "";
}

/// <summary>What the source holds for a key at the end, read directly through the driver/SDK.</summary>
public sealed record SourceDocument(long Change, bool Poison);

/// <summary>
/// A database the scenarios write to and a host captures: the MongoDB wire-protocol test server or
/// the Cosmos DB gateway test server. The writer and the final read go to the server directly;
/// the host's source settings name <c>port</c>, where the run puts its fault proxy.
/// </summary>
public abstract class ScenarioDatabase : IAsyncDisposable
{
    public const string DatabaseName = "shop";
    public const string CollectionName = "orders";
    public const string NewField = "addedMidStream";
    public const int PoisonPadBytes = 8_192;

    /// <summary>mongodb or cosmosdb: the row prefix and the source kind.</summary>
    public abstract string Kind { get; }

    /// <summary>The server's own port (the fault proxy forwards to it).</summary>
    public abstract int Port { get; }

    public static async Task<ScenarioDatabase> StartAsync(string kind) => kind switch
    {
        "mongodb" => await MongoScenarioDatabase.StartAsync(),
        "cosmosdb" => await CosmosScenarioDatabase.StartAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "mongodb or cosmosdb"),
    };

    /// <summary>Host settings of a source of this kind reached at 127.0.0.1:<paramref name="port"/>.</summary>
    public abstract Dictionary<string, string> SourceSettings(string sourceId, int port);

    public abstract Task UpsertAsync(WriterDocument document);

    public abstract Task DeleteAsync(string key);

    /// <summary>Every document now, key → change number and shape.</summary>
    public abstract Task<Dictionary<string, SourceDocument>> ReadAllAsync();

    public abstract ValueTask DisposeAsync();
}

internal sealed class MongoScenarioDatabase(MongoWireServer server) : ScenarioDatabase
{
    private readonly IMongoCollection<BsonDocument> _collection =
        new MongoClient(server.ConnectionString).GetDatabase(DatabaseName).GetCollection<BsonDocument>(CollectionName);

    public override string Kind => "mongodb";

    public override int Port => server.Port;

    // The collection exists before capture starts, as in production: a source whose collection is
    // missing fails on purpose ("does not exist … Create it"), and racing the writer's first
    // insert against that check stalled the first seconds of some runs by a capture restart.
    public static async Task<ScenarioDatabase> StartAsync()
    {
        var server = await MongoWireServer.StartAsync();
        await new MongoClient(server.ConnectionString).GetDatabase(DatabaseName).CreateCollectionAsync(CollectionName);
        return new MongoScenarioDatabase(server);
    }

    // directConnection: the server advertises its own port as the replica set member; the host
    // must keep talking to the proxy's port, so it connects to that one server directly.
    public override Dictionary<string, string> SourceSettings(string sourceId, int port) => new()
    {
        [$"SnapshotService:Sources:{sourceId}:Kind"] = "mongodb",
        [$"SnapshotService:Sources:{sourceId}:Mongo:ConnectionString"] = $"mongodb://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/?directConnection=true",
        [$"SnapshotService:Sources:{sourceId}:Mongo:Database"] = DatabaseName,
        [$"SnapshotService:Sources:{sourceId}:Mongo:Collection"] = CollectionName,
    };

    public override Task UpsertAsync(WriterDocument document)
    {
        var bson = new BsonDocument
        {
            ["_id"] = document.Key,
            ["w"] = document.Change.ToString(CultureInfo.InvariantCulture),
            ["name"] = document.Name,
            ["total"] = document.Change % 1000,
        };
        if (document.NewShape)
        {
            bson[NewField] = "v2";
        }
        if (document.Poison)
        {
            bson["pad"] = document.Pad;
        }
        return _collection.ReplaceOneAsync(Builders<BsonDocument>.Filter.Eq("_id", document.Key), bson, new ReplaceOptions { IsUpsert = true });
    }

    public override Task DeleteAsync(string key) => _collection.DeleteOneAsync(Builders<BsonDocument>.Filter.Eq("_id", key));

    public override async Task<Dictionary<string, SourceDocument>> ReadAllAsync()
    {
        using var cursor = await _collection.FindAsync(FilterDefinition<BsonDocument>.Empty);
        var all = await cursor.ToListAsync();
        return all.ToDictionary(
            d => d["_id"].AsString,
            d => new SourceDocument(long.Parse(d["w"].AsString, CultureInfo.InvariantCulture), d.Contains("pad")),
            StringComparer.Ordinal);
    }

    public override ValueTask DisposeAsync() => server.DisposeAsync();
}

internal sealed class CosmosScenarioDatabase : ScenarioDatabase
{
    private readonly CosmosGatewayServer _server;
    private readonly CosmosClient _client;
    private readonly Container _container;

    private CosmosScenarioDatabase(CosmosGatewayServer server, CosmosClient client, Container container)
    {
        _server = server;
        _client = client;
        _container = container;
    }

    public override string Kind => "cosmosdb";

    public override int Port => _server.Port;

    /// <summary>One feed range, partition key path /id (keys are the ids), all-versions-and-deletes mode so deletes reach the export through the feed.</summary>
    public static async Task<ScenarioDatabase> StartAsync()
    {
        var server = await CosmosGatewayServer.StartAsync(partitionKeyRanges: 1);
        var client = new CosmosClient(server.Endpoint.ToString(), server.Key, new CosmosClientOptions
        {
            ConnectionMode = ConnectionMode.Gateway,
            LimitToEndpoint = true,
            ServerCertificateCustomValidationCallback = server.ValidateServerCertificate,
        });
        var database = (await client.CreateDatabaseAsync(DatabaseName)).Database;
        var container = (await database.CreateContainerAsync(CollectionName, "/id")).Container;
        return new CosmosScenarioDatabase(server, client, container);
    }

    public override Dictionary<string, string> SourceSettings(string sourceId, int port)
    {
        var settings = _server.SourceSettings(sourceId, DatabaseName, CollectionName, port);
        settings[$"SnapshotService:Sources:{sourceId}:Cosmos:Mode"] = "AllVersionsAndDeletes";
        // Requests on a cut connection fail at once (RST); a short timeout bounds any that would hang instead.
        settings[$"SnapshotService:Sources:{sourceId}:Cosmos:RequestTimeout"] = "00:00:05";
        return settings;
    }

    public override async Task UpsertAsync(WriterDocument document)
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["id"] = document.Key,
            ["w"] = document.Change.ToString(CultureInfo.InvariantCulture),
            ["name"] = document.Name,
            ["total"] = document.Change % 1000,
        }.Concat(document.NewShape ? [new(NewField, "v2")] : Array.Empty<KeyValuePair<string, object>>())
         .Concat(document.Poison ? [new("pad", document.Pad)] : Array.Empty<KeyValuePair<string, object>>())
         .ToDictionary());
        using var response = await _container.UpsertItemStreamAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), new PartitionKey(document.Key));
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"upsert {document.Key}: {(int)response.StatusCode} {response.ErrorMessage}");
        }
    }

    public override async Task DeleteAsync(string key)
    {
        using var response = await _container.DeleteItemStreamAsync(key, new PartitionKey(key));
        if (!response.IsSuccessStatusCode && response.StatusCode != System.Net.HttpStatusCode.NotFound)
        {
            throw new InvalidOperationException($"delete {key}: {(int)response.StatusCode} {response.ErrorMessage}");
        }
    }

    public override async Task<Dictionary<string, SourceDocument>> ReadAllAsync()
    {
        var all = new Dictionary<string, SourceDocument>(StringComparer.Ordinal);
        using var iterator = _container.GetItemQueryStreamIterator("SELECT c.id, c.w, IS_DEFINED(c.pad) AS poison FROM c");
        while (iterator.HasMoreResults)
        {
            using var page = await iterator.ReadNextAsync();
            if (!page.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"query: {(int)page.StatusCode} {page.ErrorMessage}");
            }
            using var json = await JsonDocument.ParseAsync(page.Content);
            foreach (var item in json.RootElement.GetProperty("Documents").EnumerateArray())
            {
                all[item.GetProperty("id").GetString()!] = new SourceDocument(
                    long.Parse(item.GetProperty("w").GetString()!, CultureInfo.InvariantCulture),
                    item.TryGetProperty("poison", out var poison) && poison.ValueKind == JsonValueKind.True);
            }
        }
        return all;
    }

    public override async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }
}
