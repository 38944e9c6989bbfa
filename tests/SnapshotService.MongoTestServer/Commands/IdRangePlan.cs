using MongoDB.Bson;
using SnapshotService.Testing.Mongo.Storage;

namespace SnapshotService.Testing.Mongo.Commands;

/// <summary>
/// The one query plan the server has besides a scan: a find sorted by _id reads the _id order directly, narrowed
/// by any $gt/$gte/$lt/$lte/equality on _id, so chunked backfills cost O(chunk) rather than O(collection).
/// The filter is still applied to every document read; the bounds only narrow the walk.
/// </summary>
internal static class IdRangePlan
{
    public static bool TryPlan(StoredCollection stored, BsonDocument? filter, BsonDocument? sort, out IEnumerable<BsonDocument> ordered)
    {
        ordered = [];
        if (sort is not { ElementCount: 1 } || sort.GetElement(0).Name != "_id")
        {
            return false;
        }
        BsonValue lower = BsonMinKey.Value, upper = BsonMaxKey.Value;
        if (filter is not null && filter.TryGetValue("_id", out var condition))
        {
            if (condition is BsonDocument ops && ops.ElementCount > 0 && ops.GetElement(0).Name.StartsWith('$'))
            {
                foreach (var op in ops)
                {
                    switch (op.Name)
                    {
                        case "$gt" or "$gte":
                            lower = op.Value;
                            break;
                        case "$lt" or "$lte":
                            upper = op.Value;
                            break;
                        default:
                            break;
                    }
                }
            }
            else
            {
                lower = upper = condition;
            }
        }
        ordered = stored.InIdRange(lower, upper, descending: sort[0].ToInt32() < 0);
        return true;
    }
}
