using System.Text.Json;
using SnapshotService.Log;
using SnapshotService.Storage;

namespace SnapshotService.Retention;

/// <summary>
/// What retention has pruned, stored as <c>control/retention.json</c> and replaced after every
/// garbage collection that deleted history. It is how a reader tells "pruned by retention" from
/// "damaged": every anchor at seq ≥ <see cref="FirstRetainedSeq"/> can be materialized, and so can
/// every snapshot that was retained (not deleted) when the collection ran; any other anchor
/// below it may need segments that are gone.
/// </summary>
/// <param name="FirstRetainedSeq">
/// The oldest seq whose state is still complete: the live-state checkpoint at this seq and every
/// segment its entries or later records name are kept. 0 when nothing was pruned yet.
/// </param>
/// <param name="BoundaryCommit">The commit number of the live-state checkpoint at <see cref="FirstRetainedSeq"/> (0 when none); it is kept as long as the marker names it.</param>
/// <param name="PrunedAt">When the collection that set it ran. Anchors created later below <see cref="FirstRetainedSeq"/> were not protected by it.</param>
/// <param name="SegmentsDeleted">Segments the collections have deleted so far (a running total, for operators).</param>
public sealed record RetentionMarker(long FirstRetainedSeq, long BoundaryCommit, DateTimeOffset PrunedAt, long SegmentsDeleted)
{
    /// <summary>The marker's key.</summary>
    public static string Key(string sourceId) => StoreKeys.Control(sourceId, "retention.json");

    /// <summary>Reads the marker, or null when retention never pruned this source.</summary>
    /// <exception cref="InvalidDataException">The marker exists but is not valid.</exception>
    public static async Task<RetentionMarker?> ReadAsync(IObjectStore store, string sourceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var key = Key(sourceId);
        var bytes = await store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }
        try
        {
            var dto = JsonSerializer.Deserialize<MarkerDto>(bytes, LogJson.Options);
            return dto is { Format: 1 }
                ? new RetentionMarker(dto.FirstRetainedSeq, dto.BoundaryCommit, dto.PrunedAt, dto.SegmentsDeleted)
                : throw new InvalidDataException($"Retention marker '{key}' has an unknown format (expected 1).");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Retention marker '{key}' is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Writes (replaces) the marker. Written before anything is deleted, so a crash never leaves pruned history unmarked.</summary>
    public async Task WriteAsync(IObjectStore store, string sourceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var json = JsonSerializer.SerializeToUtf8Bytes(new MarkerDto(1, FirstRetainedSeq, BoundaryCommit, PrunedAt, SegmentsDeleted), LogJson.Options);
        await store.PutAsync(Key(sourceId), json, cancellationToken).ConfigureAwait(false);
    }

    private sealed record MarkerDto(int Format, long FirstRetainedSeq, long BoundaryCommit, DateTimeOffset PrunedAt, long SegmentsDeleted);
}
