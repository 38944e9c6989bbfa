using MongoDB.Bson;

namespace SnapshotService.Testing.Mongo.Storage;

/// <summary>
/// MongoDB's comparison order: MongoDB.Bson's CompareTo already orders types the way the server does and
/// compares Int32/Int64/Double by value, so _id 1 and 1L are the same key, as on a real server.
/// </summary>
internal sealed class BsonValueOrder : IComparer<BsonValue>
{
    public static BsonValueOrder Instance { get; } = new();

    public int Compare(BsonValue? x, BsonValue? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }
        return x.CompareTo(y);
    }

    /// <summary>Query operators only compare values of the same kind (numbers with numbers), as the server does.</summary>
    public static bool Comparable(BsonValue x, BsonValue y) =>
        (x.IsNumeric && y.IsNumeric) || x.BsonType == y.BsonType;
}
