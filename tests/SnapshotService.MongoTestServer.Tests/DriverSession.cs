using MongoDB.Bson;
using MongoDB.Driver;

namespace SnapshotService.Testing.Mongo.Tests;

/// <summary>A started test server plus a real MongoDB.Driver client pointed at it.</summary>
internal sealed class DriverSession : IAsyncDisposable
{
    private DriverSession(MongoWireServer server, MongoClient client)
    {
        Server = server;
        Client = client;
    }

    public MongoWireServer Server { get; }
    public MongoClient Client { get; }
    public IMongoDatabase Database => Client.GetDatabase("shop");
    public IMongoCollection<BsonDocument> Orders => Database.GetCollection<BsonDocument>("orders");

    /// <summary>Bounds every wait in a test so a bug shows up as a failure, not a hung run.</summary>
    public static CancellationToken Guard => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    public static async Task<DriverSession> StartAsync(MongoWireServerOptions? options = null, Action<MongoClientSettings>? configure = null)
    {
        var server = await MongoWireServer.StartAsync(options);
        var settings = MongoClientSettings.FromConnectionString(server.ConnectionString);
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(10);
        configure?.Invoke(settings);
        return new DriverSession(server, new MongoClient(settings));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }

    /// <summary>Reads change events until <paramref name="count"/> have arrived (empty batches are skipped).</summary>
    public static async Task<List<ChangeStreamDocument<BsonDocument>>> NextEventsAsync(
        IChangeStreamCursor<ChangeStreamDocument<BsonDocument>> cursor, int count)
    {
        var events = new List<ChangeStreamDocument<BsonDocument>>();
        var guard = Guard;
        while (events.Count < count)
        {
            if (!await cursor.MoveNextAsync(guard))
            {
                break;
            }
            events.AddRange(cursor.Current);
        }
        return events;
    }
}
