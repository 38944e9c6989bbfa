using System.Text.Json;
using SnapshotService.Storage;

namespace SnapshotService.Grains;

/// <summary>
/// The promise "after history was lost and the re-backfill finished, run a full reconciliation
/// with repair", kept in <c>control/reconcile-after-history-loss.json</c> from the moment the
/// backfill is committed until a reconciliation is accepted, so a crash in between still runs it
/// after restart.
/// </summary>
internal sealed class ReconcileAfterHistoryLoss(IObjectStore store, string sourceId)
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromMinutes(1);
    private readonly string _key = StoreKeys.Control(sourceId, "reconcile-after-history-loss.json");
    private DateTimeOffset _notBefore = DateTimeOffset.MinValue;

    /// <summary>The run in flight, if any.</summary>
    public Task? Running { get; private set; }

    public async Task RequestAsync(string reason, CancellationToken cancellationToken) =>
        await store.PutAsync(_key, JsonSerializer.SerializeToUtf8Bytes(new Pending(reason, DateTimeOffset.UtcNow)), cancellationToken);

    public async Task<bool> IsPendingAsync(CancellationToken cancellationToken) =>
        await store.ReadAsync(_key, cancellationToken) is not null;

    /// <summary>True when a pending run may be started now (none in flight, not backing off).</summary>
    public bool MayStart(DateTimeOffset now) => Running is not { IsCompleted: false } && now >= _notBefore;

    public void Started(Task run) => Running = run;

    public async Task DoneAsync(CancellationToken cancellationToken) => await store.DeleteAsync(_key, cancellationToken);

    public void BackOff(DateTimeOffset now) => _notBefore = now + RetryAfter;

    private sealed record Pending(string Reason, DateTimeOffset RequestedAt);
}
