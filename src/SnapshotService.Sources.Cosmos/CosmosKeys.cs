using System.Text;
using System.Text.Json;
using Microsoft.Azure.Cosmos;

namespace SnapshotService.Sources.Cosmos;

/// <summary>
/// Export keys of a container. A document is identified by (partition key, id): ids are unique only
/// within a logical partition. When the partition key path is <c>/id</c> the key is the id. Otherwise
/// it is <c>id + U+0000 + partition key as JSON</c> (e.g. <c>order-1\u0000"tenant-a"</c>): U+0000
/// sorts below every other character, so the keys sort by id first, exactly as <c>ORDER BY c.id</c>
/// pages them, then by partition key; an id containing U+0000 is refused.
/// </summary>
internal sealed class CosmosKeys
{
    public const char Separator = '\0';

    private readonly string[][] _paths;

    public CosmosKeys(IReadOnlyList<string> partitionKeyPaths)
    {
        PartitionKeyPaths = partitionKeyPaths;
        _paths = [.. partitionKeyPaths.Select(p => p.Split('/', StringSplitOptions.RemoveEmptyEntries))];
        IdIsKey = partitionKeyPaths.Count == 1 && partitionKeyPaths[0] == "/id";
    }

    public IReadOnlyList<string> PartitionKeyPaths { get; }

    /// <summary>True when the partition key path is /id and the key is the id alone.</summary>
    public bool IdIsKey { get; }

    /// <summary>The partition key value(s) of a document as JSON (a value, or an array for hierarchical keys; "" when absent).</summary>
    public string PartitionKeyJson(JsonElement document)
    {
        if (_paths.Length == 1)
        {
            return Find(document, _paths[0]) is { } value ? value.GetRawText() : "";
        }
        var values = _paths.Select(p => Find(document, p)).ToList();
        if (values.All(v => v is null))
        {
            return "";
        }
        return "[" + string.Join(",", values.Select(v => v?.GetRawText() ?? "null")) + "]";
    }

    /// <summary>The partition key value(s) from AllVersions delete metadata (<c>{"pk": value}</c>, keyed by the path's last segment).</summary>
    public string PartitionKeyJsonFromMetadata(JsonElement partitionKeyObject)
    {
        if (partitionKeyObject.ValueKind != JsonValueKind.Object)
        {
            return "";
        }
        var values = _paths.Select(p => partitionKeyObject.TryGetProperty(string.Join(".", p), out var v) ? v : partitionKeyObject.TryGetProperty(p[^1], out var w) ? w : (JsonElement?)null).ToList();
        if (_paths.Length == 1)
        {
            return values[0]?.GetRawText() ?? "";
        }
        return values.All(v => v is null) ? "" : "[" + string.Join(",", values.Select(v => v?.GetRawText() ?? "null")) + "]";
    }

    /// <summary>The export key of (id, partition key JSON).</summary>
    public string KeyOf(string id, string partitionKeyJson)
    {
        if (id.Contains(Separator, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Cosmos DB document id '{id.Replace(Separator, '␀')}' contains U+0000, which the export key encoding reserves; such documents cannot be exported.");
        }
        return IdIsKey ? id : id + Separator + partitionKeyJson;
    }

    /// <summary>The partition key as the export shows it: the string itself for a string value, else its JSON; null when absent.</summary>
    public static string? DisplayPartitionKey(string partitionKeyJson)
    {
        if (partitionKeyJson.Length == 0)
        {
            return null;
        }
        using var parsed = JsonDocument.Parse(partitionKeyJson);
        return parsed.RootElement.ValueKind == JsonValueKind.String ? parsed.RootElement.GetString() : partitionKeyJson;
    }

    /// <summary>Splits a key into (id, SDK partition key); throws <see cref="FormatException"/> for a key this container cannot hold.</summary>
    public (string Id, PartitionKey PartitionKey) Parse(string key)
    {
        if (IdIsKey)
        {
            return (key, new PartitionKey(key));
        }
        var separator = key.IndexOf(Separator, StringComparison.Ordinal);
        if (separator < 0)
        {
            throw new FormatException($"Key '{key}' has no partition key part; keys of this container are id + U+0000 + partition key JSON.");
        }
        return (key[..separator], ToPartitionKey(key[(separator + 1)..]));
    }

    /// <summary>The id part of a key (the whole key when the id is the key).</summary>
    public string IdPart(string key)
    {
        var separator = IdIsKey ? -1 : key.IndexOf(Separator, StringComparison.Ordinal);
        return separator < 0 ? key : key[..separator];
    }

    /// <summary>The SDK partition key for a partition key JSON ("" = none).</summary>
    public PartitionKey ToPartitionKey(string partitionKeyJson)
    {
        if (partitionKeyJson.Length == 0)
        {
            return PartitionKey.None;
        }
        using var parsed = JsonDocument.Parse(Encoding.UTF8.GetBytes(partitionKeyJson));
        if (_paths.Length == 1)
        {
            return Single(parsed.RootElement);
        }
        var builder = new PartitionKeyBuilder();
        foreach (var value in parsed.RootElement.EnumerateArray())
        {
            _ = value.ValueKind switch
            {
                JsonValueKind.String => builder.Add(value.GetString()),
                JsonValueKind.Number => builder.Add(value.GetDouble()),
                JsonValueKind.True or JsonValueKind.False => builder.Add(value.GetBoolean()),
                _ => builder.AddNullValue(),
            };
        }
        return builder.Build();
    }

    private static PartitionKey Single(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => new PartitionKey(value.GetString()),
        JsonValueKind.Number => new PartitionKey(value.GetDouble()),
        JsonValueKind.True or JsonValueKind.False => new PartitionKey(value.GetBoolean()),
        JsonValueKind.Null => PartitionKey.Null,
        _ => throw new FormatException($"Partition key value {value.GetRawText()} is not a string, number, boolean or null."),
    };

    private static JsonElement? Find(JsonElement document, string[] path)
    {
        var current = document;
        foreach (var segment in path)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current))
            {
                return null;
            }
        }
        return current;
    }
}
