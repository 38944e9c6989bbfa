using System.Text.Json;
using SnapshotService.Storage;

namespace SnapshotService.Grains;

/// <summary>
/// The user's pause decision, kept in the export store (<c>sources/{id}/control/capture.json</c>)
/// so it survives restarts and moves with the source in a cluster: the export layer is the system
/// of record, not grain storage.
/// </summary>
internal sealed class PauseFlag(IObjectStore store)
{
    public async Task<bool> IsPausedAsync(string sourceId, CancellationToken cancellationToken)
    {
        var bytes = await store.ReadAsync(Key(sourceId), cancellationToken);
        return bytes is not null && JsonSerializer.Deserialize<CaptureControl>(bytes)?.Paused == true;
    }

    public async Task SetAsync(string sourceId, bool paused, CancellationToken cancellationToken) =>
        await store.PutAsync(Key(sourceId), JsonSerializer.SerializeToUtf8Bytes(new CaptureControl(paused, DateTimeOffset.UtcNow)), cancellationToken);

    private static string Key(string sourceId) => $"sources/{sourceId}/control/capture.json";

    private sealed record CaptureControl(bool Paused, DateTimeOffset ChangedAt);
}
