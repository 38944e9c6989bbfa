using System.Text.Json;
using System.Text.Json.Serialization;
using SnapshotService.Storage;

namespace SnapshotService.Grains;

/// <summary>
/// What incremental runs remember between runs, in <c>control/reconciliation.json</c>: where the
/// rotating slice continues, and the last seq at which a run found the checked ranges aligned
/// (dirty ranges are computed against it). Only the source's reconciliation grain writes it.
/// </summary>
/// <param name="RotationCursor">The planner's next cursor (a key; null = start of the key space).</param>
/// <param name="AlignedSeq">Seq of the last succeeded run that found no drift, or null (then every range counts as dirty).</param>
internal sealed record ReconciliationCursor(
    [property: JsonPropertyName("rotationCursor")] string? RotationCursor,
    [property: JsonPropertyName("alignedSeq")] long? AlignedSeq)
{
    private const string FileName = "reconciliation.json";

    public static async Task<ReconciliationCursor> ReadAsync(IObjectStore store, string sourceId, CancellationToken cancellationToken)
    {
        var bytes = await store.ReadAsync(StoreKeys.Control(sourceId, FileName), cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return new ReconciliationCursor(null, null);
        }
        try
        {
            return JsonSerializer.Deserialize<ReconciliationCursor>(bytes) ?? new ReconciliationCursor(null, null);
        }
        catch (JsonException)
        {
            // A damaged cursor only costs coverage order: start the rotation over, treat all as dirty.
            return new ReconciliationCursor(null, null);
        }
    }

    public Task WriteAsync(IObjectStore store, string sourceId, CancellationToken cancellationToken) =>
        store.PutAsync(StoreKeys.Control(sourceId, FileName), JsonSerializer.SerializeToUtf8Bytes(this), cancellationToken).AsTask();
}
