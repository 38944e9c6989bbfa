using MongoDB.Bson;
using MongoDB.Driver;
using SnapshotService.Compliance;

namespace SnapshotService.Sources.Mongo.Tests;

/// <summary>
/// A collection on a MongoDB endpoint as a compliance target: changes are real driver writes —
/// inserts, $set updates and deletes of existing keys — so each is exactly one change event.
/// </summary>
internal sealed class MongoComplianceTarget(MongoEndpoint endpoint) : IComplianceTarget
{
    private const string CollectionName = "compliance";
    private readonly Random _random = new(17);
    private readonly SortedSet<int> _existing = [];
    private long _changes;

    public string SourceId => "compliance-mongo";

    public long ChangesMade => Interlocked.Read(ref _changes);

    public static async Task<MongoComplianceTarget> CreateAsync(MongoEndpoint endpoint)
    {
        await endpoint.CreateCollectionAsync(CollectionName);
        return new MongoComplianceTarget(endpoint);
    }

    public async Task<int> MakeChangesAsync(int count, CancellationToken cancellationToken)
    {
        var collection = endpoint.Collection(CollectionName);
        var deletes = 0;
        for (var i = 0; i < count; i++)
        {
            var key = _random.Next(60);
            var filter = Builders<BsonDocument>.Filter.Eq("_id", Key(key));
            if (!_existing.Contains(key))
            {
                await collection.InsertOneAsync(new BsonDocument { ["_id"] = Key(key), ["n"] = i, ["tags"] = new BsonArray { "a", i % 7 } }, cancellationToken: cancellationToken);
                _existing.Add(key);
            }
            else if (_random.Next(100) < 15)
            {
                await collection.DeleteOneAsync(filter, cancellationToken);
                _existing.Remove(key);
                deletes++;
            }
            else
            {
                await collection.UpdateOneAsync(filter, Builders<BsonDocument>.Update.Set("n", i).Inc("updates", 1), cancellationToken: cancellationToken);
            }
            Interlocked.Increment(ref _changes);
        }
        return deletes;
    }

    public IChangeSource CreateSource() => new MongoChangeSource(SourceId, endpoint.Options(CollectionName));

    public ValueTask DisposeAsync() => endpoint.DisposeAsync();

    private static string Key(int i) => $"k{i:D3}";
}

/// <summary>The compliance suite against the wire-protocol test server.</summary>
public sealed class MongoComplianceOnTestServer : ChangeSourceComplianceTests
{
    /// <summary>An update whose document was deleted before its event was read has no post-image and is skipped (the delete follows).</summary>
    protected override bool EveryChangeIsOneRecord => false;

    protected override async Task<(IComplianceTarget?, string?)> CreateTargetAsync() =>
        (await MongoComplianceTarget.CreateAsync(await MongoEndpoint.StartTestServerAsync()), null);
}

/// <summary>The compliance suite against a real replica set when MONGODB_URI is set; reported skipped with the reason otherwise.</summary>
public sealed class MongoComplianceOnRealServer : ChangeSourceComplianceTests
{
    protected override bool EveryChangeIsOneRecord => false;

    protected override async Task<(IComplianceTarget?, string?)> CreateTargetAsync()
    {
        var endpoint = MongoEndpoint.RealServer(out var reason);
        return endpoint is null ? (null, reason) : (await MongoComplianceTarget.CreateAsync(endpoint), null);
    }
}
