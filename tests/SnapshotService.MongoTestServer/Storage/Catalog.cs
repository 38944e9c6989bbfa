namespace SnapshotService.Testing.Mongo.Storage;

/// <summary>The collections that exist, by namespace ("db.coll"). Callers hold the server lock.</summary>
internal sealed class Catalog
{
    private readonly Dictionary<string, StoredCollection> _collections = new(StringComparer.Ordinal);

    public IEnumerable<StoredCollection> All => _collections.Values;

    public StoredCollection? Get(string database, string collection) =>
        _collections.GetValueOrDefault($"{database}.{collection}");

    public StoredCollection GetOrCreate(string database, string collection)
    {
        var ns = $"{database}.{collection}";
        if (!_collections.TryGetValue(ns, out var stored))
        {
            stored = new StoredCollection(database, collection);
            _collections[ns] = stored;
        }
        return stored;
    }

    public bool Remove(string database, string collection) => _collections.Remove($"{database}.{collection}");

    public void Move(StoredCollection collection, string toDatabase, string toCollection)
    {
        _collections.Remove($"{collection.Database}.{collection.Name}");
        collection.Database = toDatabase;
        collection.Name = toCollection;
        _collections[$"{toDatabase}.{toCollection}"] = collection;
    }
}
