using System.Collections.Concurrent;
using SnapshotService.Simulated;
using SnapshotService.Sources;

namespace SnapshotService.Grains.Tests;

/// <summary>
/// A simulated source that behaves like a MongoDB stream whose oplog rolled over: once capture
/// has passed <see cref="LossAt"/> changes, the next read skips <see cref="Lost"/> changes (they
/// are never captured — the export drifts), reports HistoryLost and a re-backfill, and the read
/// after that reports the re-backfill complete. It also takes backfill requests and reports
/// health, like a real adapter. "sim-gone-…" sources are invalidated at <see cref="LossAt"/> instead.
/// </summary>
internal sealed class LossySource(SimulatedSource inner, bool invalidate) : IChangeSource, IBackfillControl, ISourceHealthProbe, IReadCoverage
{
    public const long LossAt = 300;
    public const long Lost = 200;

    /// <summary>Backfill requests seen, by source id (null entry = whole collection).</summary>
    public static ConcurrentDictionary<string, ConcurrentQueue<IReadOnlyList<string>?>> Requests { get; } = new(StringComparer.Ordinal);

    private readonly ConcurrentQueue<IReadOnlyList<string>?> _pending = new();
    private int _stage; // 0 before the loss, 1 lost (completion not reported yet), 2 after

    public static SimulatedSourceOptions Options => new() { Seed = 9, KeySpace = 300, DocumentBytes = 128, ChangesPerSecond = 5_000, MaxChanges = 1_200 };

    public SourceDescriptor Describe() => inner.Describe() with { Kind = "lossy-test" };

    public async ValueTask<ChangeBatch> ReadChangesAsync(SourcePosition after, int maxChanges, CancellationToken cancellationToken)
    {
        inner.TryGetUnderlyingPosition(after, out var consumed);
        var notices = new List<SourceNotice>();
        while (_pending.TryDequeue(out var keys))
        {
            notices.Add(new SourceNotice(SourceNoticeKind.BackfillStarted, keys is null ? "backfill of the whole collection started" : $"backfill of {keys.Count} keys started"));
        }
        if (consumed >= LossAt && _stage == 0)
        {
            if (invalidate)
            {
                throw new SourceInvalidatedException($"collection '{inner.SourceId}' was dropped (test)", after);
            }
            _stage = 1;
            var position = after;
            for (long skipped = 0; skipped < Lost;)
            {
                var batch = await inner.ReadChangesAsync(position, (int)(Lost - skipped), cancellationToken);
                skipped += batch.Changes.Count;
                position = batch.PositionAfter;
            }
            notices.Add(new SourceNotice(SourceNoticeKind.HistoryLost, $"the stream no longer holds the history after change {consumed}; {Lost} changes were lost"));
            notices.Add(new SourceNotice(SourceNoticeKind.BackfillStarted, "re-backfill after history loss started", AfterHistoryLoss: true));
            return new ChangeBatch([], position) { Notices = notices };
        }
        // Before the loss, never read past LossAt: a fast first read could otherwise swallow the
        // history the loss is meant to skip (its length is bounded).
        var limit = _stage == 0 ? (int)Math.Min(maxChanges, LossAt - consumed) : maxChanges;
        var next = await inner.ReadChangesAsync(after, limit, cancellationToken);
        if (_stage == 1)
        {
            _stage = 2;
            notices.Add(new SourceNotice(SourceNoticeKind.BackfillCompleted, "re-backfill after history loss completed", AfterHistoryLoss: true));
        }
        return notices.Count == 0 ? next : next with { Notices = notices };
    }

    public void RequestBackfill(IReadOnlyList<string>? keys)
    {
        Requests.GetOrAdd(inner.SourceId, _ => new()).Enqueue(keys);
        _pending.Enqueue(keys);
    }

    public ValueTask<SourceHealth> GetHealthAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(new SourceHealth(TimeSpan.FromHours(30), null));

    public IAsyncEnumerable<SourceDocument> ScanAsync(KeyRange range, CancellationToken cancellationToken) => inner.ScanAsync(range, cancellationToken);

    public ValueTask<KeyReadResult> ReadKeysAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) => inner.ReadKeysAsync(keys, cancellationToken);

    /// <summary>What capture has passed is the simulated source's to say (the settle of drift candidates asks).</summary>
    public bool Covers(SourcePosition committed, KeyReadResult read) => inner.Covers(committed, read);

    public ValueTask<SourceWatermark> GetWatermarkAsync(CancellationToken cancellationToken) => inner.GetWatermarkAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
