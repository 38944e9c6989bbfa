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
/// </summary>
internal sealed class RepairHarness
{
    public const string SourceId = "sim";

    private RepairHarness(InMemoryObjectStore store, SimulatedSource source, ExportLog log, RepairCommitter committer)
    {
        Store = store;
        Source = source;
        Log = log;
        Committer = committer;
    }

    public InMemoryObjectStore Store { get; }

    public SimulatedSource Source { get; }

    public ExportLog Log { get; }

    public RepairCommitter Committer { get; }

    public int MaxKeysPerRange { get; init; } = 32;

    /// <summary>Captures the whole capped stream of <paramref name="options"/> (faults included) into a new export.</summary>
    public static async Task<RepairHarness> CaptureAsync(SimulatedSourceOptions options, int maxKeysPerRange = 32)
    {
        var store = new InMemoryObjectStore();
        var source = new SimulatedSource(SourceId, options);
        var log = await ExportLog.OpenAsync(store, SourceId, new ExportLogOptions(), default);
        var position = SourcePosition.Start;
        while (!source.IsAtEnd(position))
        {
            var batch = await source.ReadChangesAsync(position, 257, default);
            await log.AppendAsync(batch.Changes, batch.PositionAfter, default);
            position = batch.PositionAfter;
        }
        return new RepairHarness(store, source, log, new RepairCommitter(log, RepairGuard.Empty())) { MaxKeysPerRange = maxKeysPerRange };
    }

    /// <summary>The fault-free source state at the end of the history.</summary>
    public Dictionary<string, (long Version, UInt128 Hash)> Truth() =>
        DriftOracle.StateOf(Source.History.StateAfter(Source.History.Length).Documents(KeyRange.All));

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

    /// <summary>One full reconciliation at the head; repairs unless <paramref name="dryRun"/>. Returns the result, every drift item, and the repair tally.</summary>
    public async Task<(ReconciliationResult Result, List<DriftItem> Drift, RepairTally? Repair)> ReconcileAsync(bool dryRun)
    {
        await CompactAsync();
        var seq = Log.Head.LastSeq;
        var repairer = dryRun ? null : new DriftRepairer(Source, Committer.CommitAsync, seq, batchSize: 7);
        var all = new List<DriftItem>();
        var result = await new Reconciler(Store, SourceId, Source).RunAsync(new ReconciliationRequest { Seq = seq }, async (item, ct) =>
        {
            all.Add(item);
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
}
