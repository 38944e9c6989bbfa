using System.Text.Json;
using SnapshotService.Log;
using SnapshotService.Storage;

namespace SnapshotService.Snapshots;

/// <summary>
/// Marks deleted snapshots. Anchors are immutable and kept forever (history stays auditable), so
/// deleting one writes a small tombstone <c>snapshots/{id}.deleted.json</c> next to it with the
/// time of deletion; listing anchors ignores the tombstones (their names are not snapshot ids).
/// </summary>
public sealed class SnapshotTombstones(IObjectStore store)
{
    /// <summary>The tombstone key of a snapshot.</summary>
    public static string Key(string sourceId, string snapshotId) =>
        StoreKeys.Validate(StoreKeys.SnapshotsPrefix(sourceId) + snapshotId + ".deleted.json", nameof(snapshotId));

    /// <summary>When the snapshot was deleted, or null when it was not.</summary>
    /// <exception cref="InvalidDataException">The tombstone exists but is not valid.</exception>
    public async Task<DateTimeOffset?> ReadAsync(string sourceId, string snapshotId, CancellationToken cancellationToken)
    {
        var key = Key(sourceId, snapshotId);
        var bytes = await store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : Decode(key, bytes);
    }

    /// <summary>
    /// Writes the tombstone if absent and returns the deletion time in force: now, or the time of
    /// an earlier deletion (so deleting twice keeps the first time).
    /// </summary>
    public async Task<DateTimeOffset> MarkAsync(string sourceId, string snapshotId, CancellationToken cancellationToken)
    {
        var key = Key(sourceId, snapshotId);
        var now = LogTime.Now();
        var json = JsonSerializer.SerializeToUtf8Bytes(new TombstoneDto(1, snapshotId, now), LogJson.Options);
        if (await store.PutIfAbsentAsync(key, json, cancellationToken).ConfigureAwait(false))
        {
            return now;
        }
        return await ReadAsync(sourceId, snapshotId, cancellationToken).ConfigureAwait(false) ?? now;
    }

    /// <summary>The ids of the source's deleted snapshots (one listing of the snapshots folder).</summary>
    public async Task<IReadOnlySet<string>> ListDeletedAsync(string sourceId, CancellationToken cancellationToken)
    {
        var prefix = StoreKeys.SnapshotsPrefix(sourceId);
        var deleted = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var item in store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            var name = item.Key.AsSpan(prefix.Length);
            if (name.EndsWith(".deleted.json", StringComparison.Ordinal))
            {
                deleted.Add(name[..^".deleted.json".Length].ToString());
            }
        }
        return deleted;
    }

    private static DateTimeOffset Decode(string key, byte[] bytes)
    {
        try
        {
            var dto = JsonSerializer.Deserialize<TombstoneDto>(bytes, LogJson.Options);
            return dto is { Format: 1 } ? dto.DeletedAt : throw new InvalidDataException($"Tombstone '{key}' has an unknown format (expected 1).");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Tombstone '{key}' is not valid JSON: {e.Message}", e);
        }
    }

    private sealed record TombstoneDto(int Format, string SnapshotId, DateTimeOffset DeletedAt);
}
