using MongoDB.Bson;

namespace SnapshotService.Testing.Mongo.Storage;

/// <summary>Dotted field paths ("a.b.c") through embedded documents; array traversal is not supported.</summary>
internal static class BsonPaths
{
    public static BsonValue? Get(BsonDocument document, string path)
    {
        BsonValue current = document;
        foreach (var part in path.Split('.'))
        {
            if (current is BsonDocument doc && doc.TryGetValue(part, out var next))
            {
                current = next;
            }
            else if (current is BsonArray array && int.TryParse(part, out var index) && index >= 0 && index < array.Count)
            {
                current = array[index];
            }
            else
            {
                return null;
            }
        }
        return current;
    }

    public static void Set(BsonDocument document, string path, BsonValue value)
    {
        var parts = path.Split('.');
        var current = document;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (!current.TryGetValue(parts[i], out var next) || next is not BsonDocument nextDoc)
            {
                nextDoc = new BsonDocument();
                current[parts[i]] = nextDoc;
            }
            current = nextDoc;
        }
        current[parts[^1]] = value;
    }

    public static bool Unset(BsonDocument document, string path)
    {
        var parts = path.Split('.');
        var current = document;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (!current.TryGetValue(parts[i], out var next) || next is not BsonDocument nextDoc)
            {
                return false;
            }
            current = nextDoc;
        }
        if (!current.Contains(parts[^1]))
        {
            return false;
        }
        current.Remove(parts[^1]);
        return true;
    }
}
