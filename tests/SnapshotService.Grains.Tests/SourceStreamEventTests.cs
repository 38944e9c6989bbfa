using SnapshotService.Errors;
using SnapshotService.Reconciliation.Reports;

namespace SnapshotService.Grains.Tests;

/// <summary>How the source grain reacts to what an adapter reports besides changes: history loss, backfills, invalidation, health.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SourceStreamEventTests(ClusterFixture fixture)
{
    [Fact]
    public async Task lost_history_is_shown_and_followed_by_a_full_repairing_reconciliation_that_leaves_no_drift()
    {
        const string SourceId = "sim-lossy-history";
        var source = fixture.Cluster.GrainFactory.GetGrain<ISourceGrain>(SourceId);

        // Notices are acted on at the grain's 5 s heartbeat, then a full run: allow for a busy CI machine.
        var status = await source.WaitUntilAsync(s => s.RecentEvents.Any(e => e.Kind is "reconciliation_finished" or "reconciliation_failed"), seconds: 120);

        var kinds = status.RecentEvents.Select(e => e.Kind).Reverse().ToList();
        Assert.Equal(["history_lost", "backfill_started", "backfill_completed", "reconciliation_started", "reconciliation_finished"], kinds);
        var reportId = status.RecentEvents[0].Message.Split("drift report ")[1];
        var reports = new DriftReportStore(fixture.Store);
        var report = await reports.GetAsync(SourceId, reportId, default);
        Assert.False(report.DryRun);
        Assert.True(report.Repair?.RepairedCount > 0, $"the lost changes were repaired: {report}");

        // Once capture has read the whole (bounded) history, a dry run finds the export equal to the source.
        var ended = new Simulated.SimulatedSource(SourceId, LossySource.Options);
        await source.WaitUntilAsync(s => ended.IsAtEnd(new Sources.SourcePosition(s.PositionSummary)), seconds: 120);
        var check = await fixture.Cluster.GrainFactory.GetGrain<IReconciliationGrain>(SourceId).RunAsync(new ReconcileCommand(ReconcileMode.Full, DryRun: true));
        Assert.Equal(0, (await reports.GetAsync(SourceId, check.ReportId, default)).Counts.Total);
    }

    [Fact]
    public async Task an_invalidated_stream_puts_the_source_in_the_invalidated_state_with_the_reason()
    {
        var source = fixture.Cluster.GrainFactory.GetGrain<ISourceGrain>("sim-gone-dropped");

        var status = await source.WaitUntilAsync(s => s.State != SourceState.Running && s.State != SourceState.Starting);

        Assert.Equal(SourceState.Invalidated, status.State);
        Assert.Contains("was dropped", status.FailureReason, StringComparison.Ordinal);
        Assert.Equal("invalidated", status.RecentEvents[0].Kind);
        Assert.True(status.CommittedSeq >= LossySource.LossAt, "what was read before the invalidating event is committed");
    }

    [Fact]
    public async Task a_backfill_request_reaches_the_adapter_and_its_start_is_shown()
    {
        const string SourceId = "sim-lossy-backfill";
        var source = fixture.Cluster.GrainFactory.GetGrain<ISourceGrain>(SourceId);
        await source.WaitUntilAsync(s => s.State == SourceState.Running);

        var status = await source.BackfillAsync(new BackfillCommand(["k1", "k2"]));

        Assert.Equal("backfill_requested", status.RecentEvents[0].Kind);
        Assert.Equal(["k1", "k2"], Assert.Single(LossySource.Requests[SourceId])!);
        await source.WaitUntilAsync(s => s.RecentEvents.Any(e => e.Kind == "backfill_started" && e.Message.Contains("2 keys", StringComparison.Ordinal)));
        var withHealth = await source.WaitUntilAsync(s => s.HistoryHeadroomSeconds is not null);
        Assert.Equal(30 * 3600, withHealth.HistoryHeadroomSeconds);
    }

    [Fact]
    public async Task backfill_is_refused_for_kinds_that_cannot_and_for_bad_keys()
    {
        var simulated = fixture.Cluster.GrainFactory.GetGrain<ISourceGrain>("sim-no-backfill");
        await simulated.WaitUntilAsync(s => s.State == SourceState.Running);
        var lossy = fixture.Cluster.GrainFactory.GetGrain<ISourceGrain>("sim-lossy-badkeys");

        var kind = await Assert.ThrowsAsync<SnapshotServiceException>(() => simulated.BackfillAsync(new BackfillCommand(null)));
        var empty = await Assert.ThrowsAsync<SnapshotServiceException>(() => lossy.BackfillAsync(new BackfillCommand([])));
        var blank = await Assert.ThrowsAsync<SnapshotServiceException>(() => lossy.BackfillAsync(new BackfillCommand(["a", ""])));

        Assert.Equal(ErrorKind.FailedPrecondition, kind.Kind);
        Assert.Contains("cannot backfill; run a reconciliation with repair", kind.Message, StringComparison.Ordinal);
        Assert.Equal((ErrorKind.InvalidArgument, "keys"), (empty.Kind, empty.Field));
        Assert.Contains("keys[1] is empty", blank.Message, StringComparison.Ordinal);
    }
}
