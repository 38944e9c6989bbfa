using MongoDB.Bson;
using SnapshotService.Testing.Mongo.Commands;

namespace SnapshotService.Testing.Mongo.Storage;

/// <summary>The result of applying an update document: the new document and the change event's updateDescription.</summary>
internal sealed record AppliedUpdate(BsonDocument Document, BsonDocument UpdatedFields, BsonArray RemovedFields)
{
    public bool Changed => UpdatedFields.ElementCount > 0 || RemovedFields.Count > 0;

    public BsonDocument Description => new()
    {
        { "updatedFields", UpdatedFields },
        { "removedFields", RemovedFields },
        { "truncatedArrays", new BsonArray() },
    };
}

/// <summary>
/// Update operators $set, $unset, $inc and $setOnInsert (plus replacements). Others fail with FailedToParse
/// naming the operator, so a test never silently gets a different document than a real server would produce.
/// </summary>
internal static class UpdateApplier
{
    public static bool IsReplacement(BsonDocument update) =>
        update.ElementCount == 0 || !update.GetElement(0).Name.StartsWith('$');

    public static AppliedUpdate Apply(BsonDocument original, BsonDocument update, bool inserting)
    {
        var document = (BsonDocument)original.DeepClone();
        var updated = new BsonDocument();
        var removed = new BsonArray();
        foreach (var op in update)
        {
            foreach (var field in op.Value.AsBsonDocument)
            {
                if (field.Name == "_id" || field.Name.StartsWith("_id.", StringComparison.Ordinal))
                {
                    if (op.Name is "$set" or "$setOnInsert" && original.TryGetValue("_id", out var id) && id.Equals(field.Value))
                    {
                        continue;
                    }
                    if (!inserting)
                    {
                        throw new CommandError(66, "ImmutableField", "Performing an update on the path '_id' would modify the immutable field '_id'");
                    }
                }
                switch (op.Name)
                {
                    case "$set":
                        SetIfChanged(document, field.Name, field.Value, updated);
                        break;
                    case "$setOnInsert":
                        if (inserting)
                        {
                            SetIfChanged(document, field.Name, field.Value, updated);
                        }
                        break;
                    case "$unset":
                        if (BsonPaths.Unset(document, field.Name))
                        {
                            removed.Add(field.Name);
                        }
                        break;
                    case "$inc":
                        var current = BsonPaths.Get(document, field.Name) ?? new BsonInt32(0);
                        SetIfChanged(document, field.Name, Add(current, field.Value, field.Name), updated);
                        break;
                    default:
                        throw new CommandError(9, "FailedToParse",
                            $"Unknown modifier: {op.Name}. The SnapshotService MongoDB test server supports $set, $unset, $inc and $setOnInsert.");
                }
            }
        }
        return new AppliedUpdate(document, updated, removed);
    }

    private static void SetIfChanged(BsonDocument document, string path, BsonValue value, BsonDocument updated)
    {
        var before = BsonPaths.Get(document, path);
        if (before is not null && before.BsonType == value.BsonType && before.Equals(value))
        {
            return;
        }
        BsonPaths.Set(document, path, value);
        updated[path] = value;
    }

    private static BsonValue Add(BsonValue current, BsonValue delta, string path)
    {
        if (!current.IsNumeric || !delta.IsNumeric)
        {
            throw new CommandError(14, "TypeMismatch", $"Cannot apply $inc to a value of non-numeric type at '{path}'");
        }
        if (current.IsDecimal128 || delta.IsDecimal128)
        {
            return new BsonDecimal128(new Decimal128(current.ToDecimal() + delta.ToDecimal()));
        }
        if (current.IsDouble || delta.IsDouble)
        {
            return new BsonDouble(current.ToDouble() + delta.ToDouble());
        }
        var sum = current.ToInt64() + delta.ToInt64();
        // Int32 + Int32 stays Int32 unless it overflows, as on the server.
        return current.IsInt32 && delta.IsInt32 && sum is >= int.MinValue and <= int.MaxValue ? new BsonInt32((int)sum) : new BsonInt64(sum);
    }
}
