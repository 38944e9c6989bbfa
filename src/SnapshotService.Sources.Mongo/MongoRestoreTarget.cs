using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using MongoDB.Bson;
using MongoDB.Driver;
using SnapshotService.Restore;

namespace SnapshotService.Sources.Mongo;

/// <summary>
/// Restores a snapshot into a MongoDB collection: unordered bulk replace-with-upsert by <c>_id</c>
/// and <c>$in</c> deletes, both with majority write concern (applied once a call returns, and
/// surviving a failover). Idempotent: re-applying a batch writes the same documents again.
/// Documents are the export's canonical Extended JSON, so every BSON type comes back exactly
/// (see <see cref="MongoJson"/>).
/// </summary>
public sealed class MongoRestoreTarget : IRestoreTarget
{
    private const int DeletesPerCommand = 1000;

    private static readonly ConcurrentDictionary<string, MongoClient> Clients = new(StringComparer.Ordinal);

    private readonly MongoClient _client;
    private readonly IMongoCollection<BsonDocument> _collection;
    private readonly MongoRangeScanner _scanner;

    /// <summary>Creates the target for <paramref name="collection"/> in <paramref name="database"/>; clients are shared per connection string.</summary>
    public MongoRestoreTarget(string connectionString, string database, string collection, TimeSpan? serverSelectionTimeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        ArgumentException.ThrowIfNullOrWhiteSpace(collection);
        _client = Clients.GetOrAdd(connectionString, cs =>
        {
            var settings = MongoClientSettings.FromConnectionString(cs);
            settings.ServerSelectionTimeout = serverSelectionTimeout ?? TimeSpan.FromSeconds(15);
            return new MongoClient(settings);
        });
        _collection = _client.GetDatabase(database).GetCollection<BsonDocument>(collection)
            .WithWriteConcern(WriteConcern.WMajority)
            .WithReadConcern(ReadConcern.Majority);
        _scanner = new MongoRangeScanner(_client, _collection, userFilter: null, batchSize: 1000);
        Description = $"mongodb:{database}.{collection}";
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public async ValueTask UpsertAsync(IReadOnlyList<RestoreDocument> documents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (documents.Count == 0)
        {
            return;
        }
        var writes = new List<WriteModel<BsonDocument>>(documents.Count);
        foreach (var document in documents)
        {
            var bson = MongoJson.FromJson(document.Document.Span);
            var id = MongoKeys.Decode(document.Key);
            if (!bson.TryGetValue("_id", out var own))
            {
                bson.InsertAt(0, new BsonElement("_id", id));
            }
            else if (MongoKeys.Encode(own) != document.Key)
            {
                throw new InvalidDataException($"restore document with key '{document.Key}' carries _id {own.ToJson()} (key '{MongoKeys.Encode(own)}'); the view is inconsistent.");
            }
            writes.Add(new ReplaceOneModel<BsonDocument>(new BsonDocument("_id", id), bson) { IsUpsert = true });
        }
        await _collection.BulkWriteAsync(writes, new BulkWriteOptions { IsOrdered = false }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        for (var start = 0; start < keys.Count; start += DeletesPerCommand)
        {
            var ids = new BsonArray(keys.Skip(start).Take(DeletesPerCommand).Select(MongoKeys.Decode));
            await _collection.DeleteManyAsync(new BsonDocument("_id", new BsonDocument("$in", ids)), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RestoreDocument> ScanAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var document in _scanner.ScanAsync(KeyRange.All, limit: null, cancellationToken).ConfigureAwait(false))
        {
            yield return new RestoreDocument(document.Key, null, MongoJson.ToJsonBytes(document.Document));
        }
    }
}
