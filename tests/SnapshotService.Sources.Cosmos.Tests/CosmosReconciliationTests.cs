using System.Diagnostics;
using SnapshotService.Log;
using SnapshotService.Reconciliation;
using SnapshotService.Repair;
using SnapshotService.State;
using SnapshotService.Storage;

namespace SnapshotService.Sources.Cosmos.Tests;

/// <summary>LatestVersion mode: a delete is invisible to the feed and found by reconciliation, which repairs it with a tombstone.</summary>
public sealed class CosmosReconciliationTests
{
    private const string SourceId = "cosmos-recon";

    [Fact]
    public async Task a_delete_the_feed_never_shows_is_found_by_reconciliation_and_tombstoned_by_repair()
    {
        await using var context = await CosmosSourceContext.StartAsync(ranges: 2);
        foreach (var id in new[] { "a", "b", "c" })
        {
            await context.UpsertAsync(id, 1);
        }
        // No clock skew between this test and the test server (same machine).
        await using var source = context.CreateSource(SourceId, o => o.ClockSkewAllowance = TimeSpan.Zero);
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, SourceId, new ExportLogOptions(), default);
        var (captured, position, _) = await CosmosSourceContext.ReadUntilAsync(source, SourcePosition.Start, c => c.Count >= 3);
        await log.AppendAsync(captured, position, default);

        await context.DeleteAsync("b");
        var (afterDelete, _, _) = await CosmosSourceContext.ReadUntilAsync(source, position, c => true);
        Assert.Empty(afterDelete);

        // A delete is repairable once its document's _ts is older than the point read (≤ 1 s here).
        var committer = new RepairCommitter(log, RepairGuard.Empty());
        var watch = Stopwatch.StartNew();
        RepairTally tally;
        do
        {
            await LiveStateCompactor.CompactAsync(store, SourceId, new LiveStateOptions(), default);
            var seq = log.Head.LastSeq;
            var repairer = new DriftRepairer(source, committer.CommitAsync, seq);
            var result = await new Reconciler(store, SourceId, source).RunAsync(new ReconciliationRequest { Seq = seq }, repairer.OnDriftAsync, null, default);
            await repairer.FlushAsync(default);
            tally = repairer.Tally;
            Assert.True(result.FailureReason is null, result.FailureReason);
            if (tally.Repaired == 0)
            {
                await Task.Delay(250);
            }
        }
        while (tally.Repaired == 0 && watch.Elapsed < TimeSpan.FromSeconds(20));

        Assert.Equal(1, tally.Repaired);
        var reader = new ExportLogReader(store, SourceId);
        var keys = new List<string>();
        await foreach (var entry in new LiveView(store, SourceId, reader).ReadAtAsync(log.Head.LastSeq, null, default))
        {
            keys.Add(entry.Key);
        }
        Assert.Equal([CosmosSourceContext.KeyOf("a"), CosmosSourceContext.KeyOf("c")], keys);
    }
}
