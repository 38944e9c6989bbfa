using MongoDB.Bson;

namespace SnapshotService.Sources.Mongo;

/// <summary>Turns the source's query filter into a change-stream <c>$match</c> stage.</summary>
internal static class ChangeStreamFilter
{
    /// <summary>
    /// <c>{$match: {$or: [{operationType: {$in: [delete, drop, …]}}, filter on fullDocument]}}</c>:
    /// deletes and stream-ending events always pass (their documents are gone), everything else
    /// must match the filter on its full document.
    /// </summary>
    public static BsonDocument MatchStage(BsonDocument filter) =>
        new("$match", new BsonDocument("$or", new BsonArray
        {
            new BsonDocument("operationType", new BsonDocument("$in", new BsonArray { "delete", "drop", "rename", "dropDatabase", "invalidate" })),
            OnFullDocument(filter),
        }));

    /// <summary>Prefixes every field path of a query with <c>fullDocument.</c>; logical operators are rewritten inside.</summary>
    public static BsonDocument OnFullDocument(BsonDocument filter)
    {
        var result = new BsonDocument();
        foreach (var element in filter)
        {
            if (element.Name is "$and" or "$or" or "$nor")
            {
                result.Add(element.Name, new BsonArray(element.Value.AsBsonArray.Select(f => (BsonValue)OnFullDocument(f.AsBsonDocument))));
            }
            else if (element.Name.StartsWith('$'))
            {
                result.Add(element);
            }
            else
            {
                result.Add("fullDocument." + element.Name, element.Value);
            }
        }
        return result;
    }
}
