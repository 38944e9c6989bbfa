using System.Diagnostics;
using System.Text;
using Microsoft.Azure.Cosmos;
using SnapshotService.Testing.Cosmos;

namespace SnapshotService.Sources.Cosmos.Tests;

/// <summary>
/// A gateway test server (or, through <see cref="StartOnAccountAsync"/>, the emulator or account of
/// COSMOS_ENDPOINT + COSMOS_KEY) with a fresh database and container "items", a client, and source
/// options pointing at it.
/// </summary>
internal sealed class CosmosSourceContext : IAsyncDisposable
{
    public const string EndpointVariable = "COSMOS_ENDPOINT";

    public const string KeyVariable = "COSMOS_KEY";

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

    /// <summary>
    /// The emulator or account named by COSMOS_ENDPOINT with its COSMOS_KEY, or null with the reason
    /// it is not used (tests that need it are then reported skipped with that reason). A key is
    /// required: tests never sign in with Entra ID, so no developer or machine identity is picked up.
    /// </summary>
    public static (string Endpoint, string Key)? RealAccount(out string reason)
    {
        var endpoint = Environment.GetEnvironmentVariable(EndpointVariable);
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            reason = $"{EndpointVariable} is not set: the real-account run of the Cosmos DB compliance suite did not happen (it ran against the gateway test server in CosmosComplianceOnTestServer). Set {EndpointVariable} (an emulator, or an account with AllVersionsAndDeletes enabled) and {KeyVariable} to run it.";
            return null;
        }
        var key = Environment.GetEnvironmentVariable(KeyVariable);
        if (string.IsNullOrWhiteSpace(key))
        {
            reason = $"{EndpointVariable} is set ({endpoint}) but {KeyVariable} is not: the real-account run needs a key for the test run (tests do not sign in with Entra ID). Set {KeyVariable} to the account's key, or to the emulator's well-known key.";
            return null;
        }
        reason = "";
        return (endpoint, key);
    }

    /// <summary>A fresh database and container on a new gateway test server.</summary>
    public static async Task<CosmosSourceContext> StartAsync(int ranges = 2, bool allVersionsAndDeletes = true, string partitionKeyPath = "/pk",
        CosmosFeedMode mode = CosmosFeedMode.LatestVersion)
    {
        var server = await CosmosGatewayServer.StartAsync(ranges, allVersionsAndDeletes);
        var clientOptions = new CosmosClientOptions
        {
            ConnectionMode = ConnectionMode.Gateway,
            LimitToEndpoint = true,
            ServerCertificateCustomValidationCallback = server.ValidateServerCertificate,
            MaxRetryAttemptsOnRateLimitedRequests = 30,
            MaxRetryWaitTimeOnRateLimitedRequests = TimeSpan.FromSeconds(60),
        };
        return await CreateAsync(server, server.Endpoint.ToString(), server.Key, clientOptions, partitionKeyPath, mode);
    }

    /// <summary>A fresh database and container on a real emulator or account (see <see cref="RealAccount"/>); deleted again on dispose.</summary>
    public static Task<CosmosSourceContext> StartOnAccountAsync(string endpoint, string key, string partitionKeyPath = "/pk", CosmosFeedMode mode = CosmosFeedMode.LatestVersion) =>
        CreateAsync(null, endpoint, key, new CosmosClientOptions { ConnectionMode = ConnectionMode.Gateway }, partitionKeyPath, mode);

    private static async Task<CosmosSourceContext> CreateAsync(CosmosGatewayServer? server, string endpoint, string key, CosmosClientOptions clientOptions, string partitionKeyPath, CosmosFeedMode mode)
    {
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
