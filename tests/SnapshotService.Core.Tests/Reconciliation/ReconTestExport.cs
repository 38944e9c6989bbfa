using System.Globalization;
using System.Text;
using SnapshotService.Core.Tests.State;
using SnapshotService.Log;
using SnapshotService.Reconciliation;
using SnapshotService.Sources;
using SnapshotService.State;
using SnapshotService.Storage;

namespace SnapshotService.Core.Tests.Reconciliation;

/// <summary>Builds small exports and matching sources from test ops (keys <c>k000</c>…, documents <c>{"_id":…,"v":…}</c>).</summary>
public static class ReconTestExport
{
    public const string Source = "recon";

    /// <summary>Appends each commit's (op, version) pairs as one commit; compacts after the commits whose flag is set.</summary>
    public static async Task<(InMemoryObjectStore Store, ExportLog Log)> BuildAsync(IReadOnlyList<IReadOnlyList<(TestOp Op, long Version)>> commits, IReadOnlyList<bool> compactAfter, int maxKeysPerRange)
    {
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, Source, new ExportLogOptions(), default);
        var options = new LiveStateOptions { MaxKeysPerRange = maxKeysPerRange };
        for (var c = 0; c < commits.Count; c++)
        {
            var changes = commits[c].Select(p => StateTestLog.ChangeOf(p.Op, p.Version)).ToList();
            await log.AppendAsync(changes, new SourcePosition(string.Create(CultureInfo.InvariantCulture, $"commit:{c + 1}")), default);
            if (c < compactAfter.Count && compactAfter[c])
            {
                await LiveStateCompactor.CompactAsync(store, Source, options, default);
            }
        }
        return (store, log);
    }

    /// <summary>The source documents after applying (op, version) pairs in order.</summary>
    public static List<SourceDocument> SourceAfter(IEnumerable<(TestOp Op, long Version)> ops)
    {
        var state = new Dictionary<string, SourceDocument>(StringComparer.Ordinal);
        foreach (var (op, version) in ops)
        {
            var change = StateTestLog.ChangeOf(op, version);
            if (op.Delete)
            {
                state.Remove(change.Key);
            }
            else
            {
                state[change.Key] = new SourceDocument(change.Key, change.PartitionKey, version, change.Document);
            }
        }
        return [.. state.Values];
    }

    /// <summary>The export's expected state after applying (op, version) pairs in order.</summary>
    public static Dictionary<string, (long Version, UInt128 Hash)> ExportAfter(IEnumerable<(TestOp Op, long Version)> ops) =>
        DriftOracle.Replay(ops.Select(p => StateTestLog.ChangeOf(p.Op, p.Version)));

    public static SourceDocument Document(int keyNumber, long version, int value) =>
        new(StateTestLog.KeyOf(keyNumber), null, version, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $$"""{"_id":"{{StateTestLog.KeyOf(keyNumber)}}","v":{{value}}}""")));

    public static async Task<(ReconciliationResult Result, List<DriftItem> All)> RunAsync(IObjectStore store, long seq, IChangeSource source, ReconciliationRequest? request = null)
    {
        var all = new List<DriftItem>();
        var reconciler = new Reconciler(store, Source, source);
        var result = await reconciler.RunAsync(request ?? new ReconciliationRequest { Seq = seq }, (item, _) =>
        {
            all.Add(item);
            return ValueTask.CompletedTask;
        }, null, default);
        return (result, all);
    }

    /// <summary>Versions 1..n for the ops, one commit per <paramref name="perCommit"/> ops.</summary>
    public static List<IReadOnlyList<(TestOp Op, long Version)>> Commits(IReadOnlyList<TestOp> ops, int perCommit, long firstVersion = 1) =>
        [.. ops.Select((op, i) => (op, firstVersion + i)).Chunk(perCommit).Select(c => (IReadOnlyList<(TestOp, long)>)c)];
}
