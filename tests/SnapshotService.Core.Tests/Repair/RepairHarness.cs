using SnapshotService.Core.Tests.Reconciliation;
using SnapshotService.Log;
using SnapshotService.Reconciliation;
using SnapshotService.Repair;
using SnapshotService.Simulated;
using SnapshotService.Sources;
using SnapshotService.State;
using SnapshotService.Storage;

namespace SnapshotService.Core.Tests.Repair;

/// <summary>
/// A simulated source captured through the real export log, and reconciliation runs that repair
/// through <see cref="RepairCommitter"/> on that log (the same commit code the SourceGrain runs).
/// Capture may stop part-way and go on after repairs, through the committer's repair guard as the
/// capture loop does, so late changes meet the repairs written ahead of them.
/// </summary>
internal sealed class RepairHarness
{
    public const string SourceId = "sim";

    private RepairHarness(InMemoryObjectStore store, SimulatedSource source, ExportLog log, RepairCommitter committer, SourcePosition position)
    {
        Store = store;
        Source = source;
        Log = log;
        Committer = committer;
        Position = position;
    }

    public InMemoryObjectStore Store { get; }

    public SimulatedSource Source { get; }

    public ExportLog Log { get; }

    public RepairCommitter Committer { get; }

    /// <summary>Where capture stands in the source's emitted stream.</summary>
    public SourcePosition Position { get; private set; }

    public int MaxKeysPerRange { get; init; } = 32;

    /// <summary>Capture changes the repair guard dropped so far (late or replayed changes older than a repair).</summary>
    public int DroppedByGuard { get; private set; }

    /// <summary>
    /// Captures the capped stream of <paramref name="options"/> (faults included) into a new export,
    /// up to the first position at or after <paramref name="stopAfter"/> underlying changes (the whole
    /// stream when null), so the rest can be captured after repairs (<see cref="CaptureNextAsync"/>).
    /// </summary>
    public static async Task<RepairHarness> CaptureAsync(SimulatedSourceOptions options, int maxKeysPerRange = 32, long? stopAfter = null)
    {
        var store = new InMemoryObjectStore();
        var source = new SimulatedSource(SourceId, options);
        var log = await ExportLog.OpenAsync(store, SourceId, new ExportLogOptions(), default);
        var harness = new RepairHarness(store, source, log, new RepairCommitter(log, RepairGuard.Empty()), SourcePosition.Start) { MaxKeysPerRange = maxKeysPerRange };
        while (!harness.CaughtUp && (stopAfter is null || harness.CapturedThrough < stopAfter))
        {
            await harness.CaptureNextAsync(257);
        }
        return harness;
    }

    /// <summary>True when capture has read the whole capped stream.</summary>
    public bool CaughtUp => Source.IsAtEnd(Position);

    /// <summary>
    /// No change captured so far is newer than this underlying position: the changes behind the
    /// position, or the end of the reorder window capture stands inside of.
    /// </summary>
    public long CapturedThrough => Source.TryGetUnderlyingPosition(Position, out var consumed) ? consumed : consumed + Source.History.WindowSizeAt(consumed);

    /// <summary>
    /// Reads one batch and commits it the way the capture loop does: through the repair guard the
    /// committer fills, so late changes older than a repair are dropped before the log sees them.
    /// </summary>
    public async Task CaptureNextAsync(int maxChanges)
    {
        var batch = await Source.ReadChangesAsync(Position, maxChanges, default);
        var kept = Committer.Guard.Filter(batch.Changes);
        DroppedByGuard += batch.Changes.Count - kept.Count;
        await Log.AppendAsync(kept, batch.PositionAfter, default);
        Position = batch.PositionAfter;
    }

    /// <summary>The fault-free source state at the end of the history.</summary>
    public Dictionary<string, (long Version, UInt128 Hash)> Truth() => StateAfter(Source.History.Length);

    /// <summary>The fault-free source state after the first <paramref name="changes"/> underlying changes.</summary>
    public Dictionary<string, (long Version, UInt128 Hash)> StateAfter(long changes) =>
        DriftOracle.StateOf(Source.History.StateAfter(changes).Documents(KeyRange.All));

    /// <summary>The export's live state at its head.</summary>
    public async Task<Dictionary<string, (long Version, UInt128 Hash)>> ExportStateAsync()
    {
        await CompactAsync();
        var state = new Dictionary<string, (long, UInt128)>(StringComparer.Ordinal);
        await foreach (var entry in new LiveView(Store, SourceId).ReadAtAsync(Log.Head.LastSeq, null, default))
        {
            state[entry.Key] = (entry.SourceVersion, entry.ContentHash);
        }
        return state;
    }

    public Task CompactAsync() => LiveStateCompactor.CompactAsync(Store, SourceId, new LiveStateOptions { MaxKeysPerRange = MaxKeysPerRange }, default);

    /// <summary>
    /// One full reconciliation at the head against the source as it stood after <paramref name="sourceAt"/>
    /// underlying changes (the end of the history when null); repairs unless <paramref name="dryRun"/>.
    /// <paramref name="beforeEachDrift"/> runs before each drift item reaches the repairer, so a test
    /// can commit capture batches between repair batches, as the capture loop does while a run lasts.
    /// Returns the result, every drift item, and the repair tally.
    /// </summary>
    public async Task<(ReconciliationResult Result, List<DriftItem> Drift, RepairTally? Repair)> ReconcileAsync(bool dryRun, long? sourceAt = null, Func<Task>? beforeEachDrift = null)
    {
        await CompactAsync();
        var seq = Log.Head.LastSeq;
        var source = new SourceAsOf(Source, sourceAt ?? Source.History.Length);
        var repairer = dryRun ? null : new DriftRepairer(source, Committer.CommitAsync, seq, batchSize: 7);
        var all = new List<DriftItem>();
        var result = await new Reconciler(Store, SourceId, source).RunAsync(new ReconciliationRequest { Seq = seq }, async (item, ct) =>
        {
            all.Add(item);
            if (beforeEachDrift is not null)
            {
                await beforeEachDrift();
            }
            if (repairer is not null)
            {
                await repairer.OnDriftAsync(item, ct);
            }
        }, null, default);
        if (repairer is not null)
        {
            await repairer.FlushAsync(default);
        }
        return (result, all, repairer?.Tally);
    }

    /// <summary>The simulated source frozen after a number of underlying changes: what a reconciliation scans and point-reads while capture lags behind it.</summary>
    private sealed class SourceAsOf(SimulatedSource inner, long changes) : IChangeSource
    {
        public SourceDescriptor Describe() => inner.Describe();

        public ValueTask<ChangeBatch> ReadChangesAsync(SourcePosition after, int maxChanges, CancellationToken cancellationToken) =>
            throw new NotSupportedException("The harness captures from the simulated source itself.");

        public IAsyncEnumerable<SourceDocument> ScanAsync(KeyRange range, CancellationToken cancellationToken) => inner.ScanAtAsync(changes, range, cancellationToken);

        public ValueTask<KeyReadResult> ReadKeysAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
            ValueTask.FromResult(inner.ReadKeysAt(changes, keys, cancellationToken));

        public ValueTask<SourceWatermark> GetWatermarkAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult(new SourceWatermark(new SimulatedPosition(changes, 0).ToSourcePosition(), changes == 0 ? null : inner.History.SourceTimeOf(changes)));

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
