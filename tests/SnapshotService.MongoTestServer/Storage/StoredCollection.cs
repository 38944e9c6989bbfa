using MongoDB.Bson;

namespace SnapshotService.Testing.Mongo.Storage;

/// <summary>
/// One collection: documents by _id (server comparison order, so 1 and 1L collide as on a real server) and
/// in insertion ("$natural") order. Documents are kept as BsonDocument so field order and types survive.
/// </summary>
internal sealed class StoredCollection(string database, string name)
{
    private readonly SortedDictionary<BsonValue, (long RecordId, BsonDocument Document)> _byId = new(BsonValueOrder.Instance);
    private readonly SortedDictionary<long, BsonValue> _natural = [];
    private long _nextRecordId;

    public string Database { get; set; } = database;
    public string Name { get; set; } = name;
    public Guid Uuid { get; } = Guid.NewGuid();
    public int Count => _byId.Count;

    public IEnumerable<BsonDocument> InIdOrder => _byId.Values.Select(r => r.Document);

    public IEnumerable<BsonDocument> InNaturalOrder => _natural.Values.Select(id => _byId[id].Document);

    public BsonDocument? Find(BsonValue id) => _byId.TryGetValue(id, out var record) ? record.Document : null;

    public bool TryInsert(BsonDocument document)
    {
        var id = document["_id"];
        if (_byId.ContainsKey(id))
        {
            return false;
        }
        var recordId = ++_nextRecordId;
        _byId[id] = (recordId, document);
        _natural[recordId] = id;
        return true;
    }

    /// <summary>Replaces in place: the record keeps its natural-order position, as an update does on a real server.</summary>
    public void Replace(BsonDocument document)
    {
        var id = document["_id"];
        var record = _byId[id];
        _byId[id] = (record.RecordId, document);
    }

    public bool Remove(BsonValue id)
    {
        if (!_byId.Remove(id, out var record))
        {
            return false;
        }
        _natural.Remove(record.RecordId);
        return true;
    }
}
