using MongoDB.Bson;
using SnapshotService.Testing.Mongo.Commands;

namespace SnapshotService.Testing.Mongo.Storage;

/// <summary>
/// Query filters: equality (also into arrays), $eq/$ne/$gt/$gte/$lt/$lte/$in/$nin/$exists and $and/$or/$nor on
/// dotted paths. Anything else fails loudly rather than matching wrongly.
/// </summary>
internal static class FilterMatcher
{
    public static bool Matches(BsonDocument document, BsonDocument? filter)
    {
        if (filter is null)
        {
            return true;
        }
        foreach (var element in filter)
        {
            var ok = element.Name switch
            {
                "$and" => element.Value.AsBsonArray.All(f => Matches(document, f.AsBsonDocument)),
                "$or" => element.Value.AsBsonArray.Any(f => Matches(document, f.AsBsonDocument)),
                "$nor" => !element.Value.AsBsonArray.Any(f => Matches(document, f.AsBsonDocument)),
                var name when name.StartsWith('$') => throw CommandError.Unsupported($"Query operator {name}"),
                _ => MatchesField(BsonPaths.Get(document, element.Name), element.Value),
            };
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The equality fields of a filter (what an upsert copies into the new document).</summary>
    public static IEnumerable<BsonElement> EqualityFields(BsonDocument filter) =>
        filter.Where(e => !e.Name.StartsWith('$') && !IsOperatorDocument(e.Value) && !e.Name.Contains('.'));

    private static bool IsOperatorDocument(BsonValue value) =>
        value is BsonDocument doc && doc.ElementCount > 0 && doc.GetElement(0).Name.StartsWith('$');

    private static bool MatchesField(BsonValue? actual, BsonValue condition)
    {
        if (!IsOperatorDocument(condition))
        {
            return EqualsValue(actual, condition);
        }
        foreach (var op in condition.AsBsonDocument)
        {
            var ok = op.Name switch
            {
                "$eq" => EqualsValue(actual, op.Value),
                "$ne" => !EqualsValue(actual, op.Value),
                "$gt" => CompareWith(actual, op.Value, c => c > 0),
                "$gte" => CompareWith(actual, op.Value, c => c >= 0),
                "$lt" => CompareWith(actual, op.Value, c => c < 0),
                "$lte" => CompareWith(actual, op.Value, c => c <= 0),
                "$in" => op.Value.AsBsonArray.Any(v => EqualsValue(actual, v)),
                "$nin" => !op.Value.AsBsonArray.Any(v => EqualsValue(actual, v)),
                "$exists" => (actual is not null) == op.Value.ToBoolean(),
                _ => throw CommandError.Unsupported($"Query operator {op.Name}"),
            };
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }

    private static bool EqualsValue(BsonValue? actual, BsonValue expected)
    {
        if (actual is null)
        {
            return expected.IsBsonNull;
        }
        if (actual is BsonArray array && expected is not BsonArray)
        {
            return array.Any(item => EqualsValue(item, expected));
        }
        return BsonValueOrder.Comparable(actual, expected) && BsonValueOrder.Instance.Compare(actual, expected) == 0;
    }

    private static bool CompareWith(BsonValue? actual, BsonValue bound, Func<int, bool> accept) =>
        actual is not null && BsonValueOrder.Comparable(actual, bound) && accept(BsonValueOrder.Instance.Compare(actual, bound));
}
