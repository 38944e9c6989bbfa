using MongoDB.Bson;
using MongoDB.Driver;
using SnapshotService.Testing.Mongo;

namespace SnapshotService.Sources.Mongo.Tests;

/// <summary>
/// Where an integration test runs: the in-process wire-protocol test server (always), or a real
/// replica set when MONGODB_URI is set. Each test gets its own database, dropped at the end.
/// </summary>
public sealed class MongoEndpoint : IAsyncDisposable
{
    public const string UriVariable = "MONGODB_URI";

    private MongoEndpoint(string connectionString, MongoWireServer? server)
    {
        ConnectionString = connectionString;
        Server = server;
        var settings = MongoClientSettings.FromConnectionString(connectionString);
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(10);
        Client = new MongoClient(settings);
        Database = "t" + Guid.NewGuid().ToString("N")[..12];
    }

    public string ConnectionString { get; }

    /// <summary>The test server, or null against a real server (fault injection needs the test server).</summary>
    public MongoWireServer? Server { get; }

    public MongoClient Client { get; }

    public string Database { get; }

    public IMongoCollection<BsonDocument> Collection(string name) =>
        Client.GetDatabase(Database).GetCollection<BsonDocument>(name).WithWriteConcern(WriteConcern.WMajority);

    public static async Task<MongoEndpoint> StartTestServerAsync()
    {
        var server = await MongoWireServer.StartAsync();
        return new MongoEndpoint(server.ConnectionString, server);
    }

    /// <summary>The real server from MONGODB_URI, or null with the reason it is not used.</summary>
    public static MongoEndpoint? RealServer(out string reason)
    {
        var uri = Environment.GetEnvironmentVariable(UriVariable);
        if (string.IsNullOrWhiteSpace(uri))
        {
            reason = $"{UriVariable} is not set: the real-server run of this scenario did not happen (it ran against the wire-protocol test server in MongoSourceOnTestServer). Set {UriVariable}=mongodb://HOST/?replicaSet=NAME to run it against a replica set.";
            return null;
        }
        reason = "";
        return new MongoEndpoint(uri, null);
    }

    public MongoSourceOptions Options(string collection, Action<MongoSourceOptions>? configure = null)
    {
        var options = new MongoSourceOptions
        {
            ConnectionString = ConnectionString,
            Database = Database,
            Collection = collection,
            MaxAwaitTime = TimeSpan.FromMilliseconds(100),
            ChunkSize = 3,
            BatchSize = 100,
            MaxRetries = 4,
            RetryBaseDelay = TimeSpan.FromMilliseconds(20),
            RetryMaxDelay = TimeSpan.FromMilliseconds(200),
            ServerSelectionTimeout = TimeSpan.FromSeconds(5),
        };
        configure?.Invoke(options);
        return options;
    }

    public static async Task<List<BsonDocument>> AllAsync(IMongoCollection<BsonDocument> collection)
    {
        using var cursor = await collection.FindAsync(FilterDefinition<BsonDocument>.Empty);
        return await cursor.ToListAsync();
    }

    public async Task CreateCollectionAsync(string name) => await Client.GetDatabase(Database).CreateCollectionAsync(name);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Client.DropDatabaseAsync(Database);
        }
        catch (MongoException)
        {
            // Best effort: the test's own failure matters more.
        }
        Client.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}
