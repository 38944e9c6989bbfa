using System.Diagnostics;
using System.Text;
using Microsoft.Azure.Cosmos;
using SnapshotService.Testing.Cosmos;

namespace SnapshotService.Sources.Cosmos.Tests;

/// <summary>
/// A gateway test server (or COSMOS_ENDPOINT when allowed) with a fresh database and container
/// "items", a client, and source options pointing at it.
/// </summary>
internal sealed class CosmosSourceContext : IAsyncDisposable
{
    private CosmosSourceContext(CosmosGatewayServer? server, CosmosClient client, Database database, Container container, CosmosSourceOptions options)
    {
        Server = server;
        Client = client;
        Database = database;
        Container = container;
        Options = options;
    }

    public CosmosGatewayServer? Server { get; }

    public CosmosGatewayServer TestServer => Server ?? throw new InvalidOperationException("This test needs the gateway test server's control API.");

    public CosmosClient Client { get; }

    public Database Database { get; }

    public Container Container { get; }

    public CosmosSourceOptions Options { get; }

    public static string? RealEndpoint => Environment.GetEnvironmentVariable("COSMOS_ENDPOINT") is { Length: > 0 } e ? e : null;

    public static async Task<CosmosSourceContext> StartAsync(int ranges = 2, bool allVersionsAndDeletes = true, string partitionKeyPath = "/pk",
        CosmosFeedMode mode = CosmosFeedMode.LatestVersion, bool allowRealAccount = false)
    {
        CosmosGatewayServer? server = null;
        string endpoint;
        string key;
        CosmosClientOptions clientOptions;
        if (allowRealAccount && RealEndpoint is { } real)
        {
            endpoint = real;
            key = Environment.GetEnvironmentVariable("COSMOS_KEY") is { Length: > 0 } k ? k : CosmosGatewayServer.EmulatorKey;
            clientOptions = new CosmosClientOptions { ConnectionMode = ConnectionMode.Gateway };
        }
        else
        {
            server = await CosmosGatewayServer.StartAsync(ranges, allVersionsAndDeletes);
            endpoint = server.Endpoint.ToString();
            key = server.Key;
            clientOptions = new CosmosClientOptions
            {
                ConnectionMode = ConnectionMode.Gateway,
                LimitToEndpoint = true,
                ServerCertificateCustomValidationCallback = server.ValidateServerCertificate,
                MaxRetryAttemptsOnRateLimitedRequests = 30,
                MaxRetryWaitTimeOnRateLimitedRequests = TimeSpan.FromSeconds(60),
            };
        }
        var client = new CosmosClient(endpoint, key, clientOptions);
        var database = (await client.CreateDatabaseAsync($"snapsvc-test-{Guid.NewGuid():N}")).Database;
        var container = (await database.CreateContainerAsync(new ContainerProperties("items", partitionKeyPath))).Container;
        var options = new CosmosSourceOptions
        {
            Endpoint = endpoint,
            Database = database.Id,
            Container = "items",
            AuthMode = CosmosAuthMode.Key,
            Key = key,
            Mode = mode,
            ConnectionMode = CosmosConnectionMode.Gateway,
            LimitToEndpoint = server is not null,
            PollDelay = TimeSpan.FromMilliseconds(50),
            MaxItemCount = 20,
            RetryBaseDelay = TimeSpan.FromMilliseconds(20),
            RetryMaxDelay = TimeSpan.FromMilliseconds(500),
            ServerCertificateThumbprint = server is null ? null : server.CertificateThumbprint,
        };
        return new CosmosSourceContext(server, client, database, container, options);
    }

    public CosmosChangeSource CreateSource(string sourceId = "cosmos-test", Action<CosmosSourceOptions>? configure = null)
    {
        var options = Options.Clone();
        configure?.Invoke(options);
        return new CosmosChangeSource(sourceId, options, Client);
    }

    public static string Json(string id, string pk, int value) => $$"""{"id":"{{id}}","pk":"{{pk}}","value":{{value}}}""";

    public async Task UpsertAsync(string id, int value, string? pk = null)
    {
        var partition = pk ?? $"pk-{id}";
        using var response = await Container.UpsertItemStreamAsync(new MemoryStream(Encoding.UTF8.GetBytes(Json(id, partition, value))), new PartitionKey(partition));
        Assert.True(response.IsSuccessStatusCode, $"upsert {id}: {response.StatusCode} {response.ErrorMessage}");
    }

    public async Task DeleteAsync(string id, string? pk = null)
    {
        using var response = await Container.DeleteItemStreamAsync(id, new PartitionKey(pk ?? $"pk-{id}"));
        Assert.True(response.IsSuccessStatusCode, $"delete {id}: {response.StatusCode}");
    }

    /// <summary>The key of a test document (container partitioned by /pk).</summary>
    public static string KeyOf(string id, string? pk = null) => id + "\0\"" + (pk ?? $"pk-{id}") + "\"";

    /// <summary>Reads batches (at least one) until <paramref name="done"/> holds for everything read (fails after a minute).</summary>
    public static async Task<(List<SourceChange> Changes, SourcePosition Position, List<SourceNotice> Notices)> ReadUntilAsync(
        IChangeSource source, SourcePosition from, Func<List<SourceChange>, bool> done, int maxChanges = 1000)
    {
        var changes = new List<SourceChange>();
        var notices = new List<SourceNotice>();
        var position = from;
        var watch = Stopwatch.StartNew();
        // At least one read, so "read once" (done = _ => true) returns a position the adapter gave.
        do
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"gave up after a minute with {changes.Count} changes");
            var batch = await source.ReadChangesAsync(position, maxChanges, default);
            Assert.InRange(batch.Changes.Count, 0, maxChanges);
            changes.AddRange(batch.Changes);
            notices.AddRange(batch.Notices);
            position = batch.PositionAfter;
        }
        while (!done(changes));
        return (changes, position, notices);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Database.DeleteAsync();
        }
        catch (CosmosException)
        {
        }
        catch (HttpRequestException)
        {
        }
        Client.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}
