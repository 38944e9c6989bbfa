using System.Text.Json;

namespace SnapshotService.Sources.Cosmos;

/// <summary>Turns change feed items (LatestVersion documents, AllVersionsAndDeletes envelopes) into changes.</summary>
internal static class FeedParsing
{
    /// <summary>A LatestVersion feed item: the document with <c>_lsn</c> and <c>_ts</c>.</summary>
    public static FeedChange Latest(JsonElement item, CosmosKeys keys, ChangeOrigin origin)
    {
        var lsn = CosmosDocuments.Lsn(item) ?? 0;
        var version = CosmosDocuments.VersionOf(CosmosDocuments.Ts(item), lsn);
        var partitionKey = keys.PartitionKeyJson(item);
        var change = new SourceChange(keys.KeyOf(CosmosDocuments.Id(item), partitionKey), CosmosKeys.DisplayPartitionKey(partitionKey),
            ChangeOperation.Upsert, version, CosmosDocuments.TimeOf(version), CosmosDocuments.Strip(item), origin);
        return new FeedChange(change, lsn);
    }

    /// <summary>
    /// An AllVersionsAndDeletes item <c>{current, metadata, previous?}</c>: create/replace carry the
    /// new image; a delete (or TTL expiry) names id and partition key in the metadata.
    /// </summary>
    public static FeedChange AllVersions(JsonElement item, CosmosKeys keys)
    {
        var metadata = item.GetProperty("metadata");
        var lsn = metadata.TryGetProperty("lsn", out var l) && l.TryGetInt64(out var lv) ? lv : 0;
        var crts = metadata.TryGetProperty("crts", out var c) && c.TryGetInt64(out var cv) ? cv : 0;
        var operation = metadata.TryGetProperty("operationType", out var o) ? o.GetString() : null;
        if (string.Equals(operation, "delete", StringComparison.OrdinalIgnoreCase))
        {
            var id = metadata.TryGetProperty("id", out var idElement) ? idElement.GetString() : null;
            var partitionKey = metadata.TryGetProperty("partitionKey", out var pk) ? keys.PartitionKeyJsonFromMetadata(pk) : "";
            if (id is null && item.TryGetProperty("previous", out var previous) && previous.ValueKind == JsonValueKind.Object)
            {
                id = CosmosDocuments.Id(previous);
                partitionKey = keys.PartitionKeyJson(previous);
            }
            if (id is null)
            {
                throw new InvalidOperationException($"AllVersionsAndDeletes delete at LSN {lsn} names no id.");
            }
            var version = CosmosDocuments.VersionOf(crts, lsn);
            return new FeedChange(new SourceChange(keys.KeyOf(id, partitionKey), CosmosKeys.DisplayPartitionKey(partitionKey), ChangeOperation.Delete,
                version, CosmosDocuments.TimeOf(version), ReadOnlyMemory<byte>.Empty), lsn);
        }
        var current = item.GetProperty("current");
        var ts = CosmosDocuments.Ts(current);
        var upsertVersion = CosmosDocuments.VersionOf(ts != 0 ? ts : crts, lsn);
        var currentKey = keys.PartitionKeyJson(current);
        return new FeedChange(new SourceChange(keys.KeyOf(CosmosDocuments.Id(current), currentKey), CosmosKeys.DisplayPartitionKey(currentKey),
            ChangeOperation.Upsert, upsertVersion, CosmosDocuments.TimeOf(upsertVersion), CosmosDocuments.Strip(current)), lsn);
    }
}
