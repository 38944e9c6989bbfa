using MongoDB.Bson;
using SnapshotService.Testing.Mongo.Storage;

namespace SnapshotService.Testing.Mongo.Commands;

/// <summary>Sort and projection shared by find and aggregate.</summary>
internal static class QueryShaping
{
    /// <summary>
    /// Sorts by the given fields (server comparison order, missing = null) or by {$natural: ±1}. The input must be
    /// in natural order; with no sort it is returned as is, which is what a real server does for a collection scan.
    /// </summary>
    public static IEnumerable<BsonDocument> Sort(IEnumerable<BsonDocument> naturalOrder, BsonDocument? sort)
    {
        if (sort is null || sort.ElementCount == 0)
        {
            return naturalOrder;
        }
        if (sort.GetElement(0).Name == "$natural")
        {
            return sort[0].ToInt32() < 0 ? naturalOrder.Reverse() : naturalOrder;
        }
        var keys = sort.Select(e => (Path: e.Name, Direction: e.Value.ToInt32() < 0 ? -1 : 1)).ToList();
        return naturalOrder.OrderBy(d => d, Comparer<BsonDocument>.Create((a, b) =>
        {
            foreach (var (path, direction) in keys)
            {
                var c = BsonValueOrder.Instance.Compare(BsonPaths.Get(a, path) ?? BsonNull.Value, BsonPaths.Get(b, path) ?? BsonNull.Value);
                if (c != 0)
                {
                    return c * direction;
                }
            }
            return 0;
        }));
    }

    /// <summary>Inclusion or exclusion projections on (dotted) field paths; operators such as $slice are not supported.</summary>
    public static BsonDocument Project(BsonDocument document, BsonDocument? projection)
    {
        if (projection is null || projection.ElementCount == 0)
        {
            return document;
        }
        var fields = projection.Where(e => e.Name != "_id").ToList();
        if (fields.Any(e => e.Value is BsonDocument))
        {
            throw CommandError.Unsupported("A projection operator");
        }
        var includeId = !projection.TryGetValue("_id", out var id) || id.ToBoolean();
        var inclusion = fields.Count > 0 ? fields[0].Value.ToBoolean() : !includeId;
        BsonDocument result;
        if (inclusion)
        {
            result = [];
            if (includeId && document.TryGetValue("_id", out var idValue))
            {
                result["_id"] = idValue;
            }
            foreach (var field in fields)
            {
                if (BsonPaths.Get(document, field.Name) is { } value)
                {
                    BsonPaths.Set(result, field.Name, value);
                }
            }
        }
        else
        {
            result = (BsonDocument)document.DeepClone();
            foreach (var field in fields)
            {
                BsonPaths.Unset(result, field.Name);
            }
            if (!includeId)
            {
                result.Remove("_id");
            }
        }
        return result;
    }
}
