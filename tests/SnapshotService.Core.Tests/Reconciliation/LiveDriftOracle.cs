using SnapshotService.Hashing;
using SnapshotService.Sources;

namespace SnapshotService.Core.Tests.Reconciliation;

/// <summary>
/// What differs between the simulated source and its export as of an underlying position r, from
/// the history (truth: changes 1..r) and the export log's records (export: the records of changes
/// 1..r in log order, once capture has consumed r). A simulated change's version is its position
/// in the history, so "as of r" is exact even when the source reorders inside windows.
/// </summary>
internal sealed class LiveDriftOracle(LiveCapture capture)
{
    /// <summary>Keys whose export state as of <paramref name="r"/> differs from the truth as of <paramref name="r"/>.</summary>
    public async Task<HashSet<string>> DifferingAsOfAsync(long r)
    {
        var truth = DriftOracle.StateOf(capture.Source.History.StateAfter(r).Documents(KeyRange.All));
        var export = await ExportAsOfAsync(r);
        var differing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in truth.Keys.Union(export.Keys))
        {
            var inTruth = truth.TryGetValue(key, out var t);
            var inExport = export.TryGetValue(key, out var e);
            if (inTruth != inExport || (inTruth && t.Hash != e.Hash))
            {
                differing.Add(key);
            }
        }
        return differing;
    }

    /// <summary>Replays the log's records of changes 1..r in seq order (after waiting until capture has consumed r).</summary>
    private async Task<Dictionary<string, (long Version, UInt128 Hash)>> ExportAsOfAsync(long r)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (Consumed(capture.Log.Head.Position) < r)
        {
            Assert.True(DateTime.UtcNow < deadline, $"capture did not consume {r} changes within a minute");
            await Task.Delay(10);
        }
        var state = new Dictionary<string, (long Version, UInt128 Hash)>(StringComparer.Ordinal);
        await foreach (var record in capture.Reader.ReadRecordsAsync(1, capture.Log.Head.LastSeq, default))
        {
            if (record.SourceVersion > r)
            {
                continue;
            }
            if (record.Operation == ChangeOperation.Delete)
            {
                state.Remove(record.Key);
            }
            else
            {
                state[record.Key] = (record.SourceVersion, ContentHasher.HashValue(record.Document.Span, ContentHashOptions.Default));
            }
        }
        return state;
    }

    /// <summary>Underlying changes wholly behind a position this source returned.</summary>
    public long Consumed(SourcePosition position)
    {
        capture.Source.TryGetUnderlyingPosition(position, out var consumed);
        return consumed;
    }
}
