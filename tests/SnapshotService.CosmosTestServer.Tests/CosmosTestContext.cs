using System.Net;
using Microsoft.Azure.Cosmos;
using Newtonsoft.Json.Linq;
using SnapshotService.Testing.Cosmos;

namespace SnapshotService.CosmosTestServer.Tests;

/// <summary>
/// A CosmosClient in Gateway mode with a fresh database and container "items" (partition key /pk).
/// Against the gateway test server by default; when COSMOS_ENDPOINT is set (and the test does not
/// need the server's control API), against that emulator or account with COSMOS_KEY instead.
/// </summary>
internal sealed class CosmosTestContext : IAsyncDisposable
{
    private CosmosTestContext(CosmosGatewayServer? server, CosmosClient client, Database database, Container container)
    {
        Server = server;
        Client = client;
        Database = database;
        Container = container;
    }

    /// <summary>The test server, or null when the tests run against COSMOS_ENDPOINT.</summary>
    public CosmosGatewayServer? Server { get; }

    /// <summary>The test server, for tests that need its control API (faults, splits).</summary>
    public CosmosGatewayServer TestServer =>
        Server ?? throw new InvalidOperationException("This test needs the gateway test server's control API.");

    public CosmosClient Client { get; }

    public Database Database { get; }

    public Container Container { get; }

    public static string? RealEndpoint => Environment.GetEnvironmentVariable("COSMOS_ENDPOINT") is { Length: > 0 } e ? e : null;

    public static async Task<CosmosTestContext> StartAsync(
        int partitionKeyRanges = 2, bool allVersionsAndDeletes = true, bool needsControlApi = false)
    {
        CosmosGatewayServer? server = null;
        CosmosClient client;
        if (RealEndpoint is { } endpoint && !needsControlApi)
        {
            var key = Environment.GetEnvironmentVariable("COSMOS_KEY") is { Length: > 0 } k ? k : CosmosGatewayServer.EmulatorKey;
            client = new CosmosClient(endpoint, key, Options(certificateCheck: null));
        }
        else
        {
            server = await CosmosGatewayServer.StartAsync(partitionKeyRanges, allVersionsAndDeletes);
            client = new CosmosClient(server.Endpoint.ToString(), server.Key, Options(server.ValidateServerCertificate));
        }
        var database = (await client.CreateDatabaseAsync($"snapsvc-test-{Guid.NewGuid():N}")).Database;
        var container = (await database.CreateContainerAsync(new ContainerProperties("items", "/pk"))).Container;
        return new CosmosTestContext(server, client, database, container);
    }

    public static CosmosClientOptions Options(
        Func<System.Security.Cryptography.X509Certificates.X509Certificate2, System.Security.Cryptography.X509Certificates.X509Chain?, System.Net.Security.SslPolicyErrors, bool>? certificateCheck) =>
        new()
        {
            ConnectionMode = ConnectionMode.Gateway,
            LimitToEndpoint = true,
            // Only the test server's own certificate is accepted; a real account uses normal validation.
            ServerCertificateCustomValidationCallback = certificateCheck is null ? null : (c, ch, e) => certificateCheck(c, ch, e),
            MaxRetryAttemptsOnRateLimitedRequests = 30,
            MaxRetryWaitTimeOnRateLimitedRequests = TimeSpan.FromSeconds(60),
            RequestTimeout = TimeSpan.FromSeconds(30),
        };

    public static JObject Doc(string id, string? pk = null, int value = 0) =>
        new() { ["id"] = id, ["pk"] = pk ?? $"pk-{id}", ["value"] = value };

    public async Task CreateManyAsync(IEnumerable<string> ids)
    {
        foreach (var id in ids)
        {
            await Container.CreateItemAsync(Doc(id), new PartitionKey($"pk-{id}"));
        }
    }

    /// <summary>Reads a change feed iterator until 304; returns the items and the continuation to resume from.</summary>
    public static async Task<(List<T> Items, string Continuation, int Pages)> DrainAsync<T>(FeedIterator<T> iterator, int? maxPageSize = null)
    {
        var items = new List<T>();
        var pages = 0;
        while (iterator.HasMoreResults)
        {
            var page = await iterator.ReadNextAsync();
            if (page.StatusCode == HttpStatusCode.NotModified)
            {
                return (items, page.ContinuationToken, pages);
            }
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            if (maxPageSize is { } max)
            {
                Assert.InRange(page.Count, 1, max);
            }
            items.AddRange(page);
            pages++;
        }
        throw new InvalidOperationException("A change feed iterator always has more results.");
    }

    /// <summary>Reads a query iterator to its end.</summary>
    public static async Task<List<T>> QueryAllAsync<T>(FeedIterator<T> iterator)
    {
        var items = new List<T>();
        while (iterator.HasMoreResults)
        {
            items.AddRange(await iterator.ReadNextAsync());
        }
        return items;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Database.DeleteAsync();
        }
        catch (CosmosException)
        {
            // A test that broke the server leaves the database behind; the server dies with it.
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
