using SnapshotService.Errors;

namespace SnapshotService.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class ReconciliationGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task a_second_run_while_one_is_running_is_refused_naming_the_running_report()
    {
        const string SourceId = "sim-slow-recon";
        var source = fixture.Cluster.GrainFactory.GetGrain<ISourceGrain>(SourceId);
        await source.EnsureStartedAsync();
        await source.WaitUntilAsync(s => s.CommittedSeq > 0);
        var grain = fixture.Cluster.GrainFactory.GetGrain<IReconciliationGrain>(SourceId);

        var first = grain.RunAsync(new ReconcileCommand(ReconcileMode.Full, DryRun: true));
        // Wait until the first run is registered (not a fixed delay: on a busy machine it may not
        // have started yet, and the second call would then queue behind it instead of being refused).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await grain.GetProgressAsync() is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        var error = await Assert.ThrowsAsync<SnapshotServiceException>(() => grain.RunAsync(new ReconcileCommand(ReconcileMode.Full, DryRun: true)));

        Assert.Equal(ErrorKind.FailedPrecondition, error.Kind);
        Assert.Contains("is running (report_id drift-", error.Message, StringComparison.Ordinal);
        var outcome = await first;
        Assert.Contains(outcome.ReportId, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_running_reconciliation_shows_its_progress_and_none_is_shown_after_it()
    {
        const string SourceId = "sim-slow-progress";
        var source = fixture.Cluster.GrainFactory.GetGrain<ISourceGrain>(SourceId);
        await source.EnsureStartedAsync();
        var grain = fixture.Cluster.GrainFactory.GetGrain<IReconciliationGrain>(SourceId);

        var run = grain.RunAsync(new ReconcileCommand(ReconcileMode.Full, DryRun: false));
        ReconcileProgress? progress = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (progress is not { RangesTotal: > 0 } && DateTime.UtcNow < deadline)
        {
            progress = await grain.GetProgressAsync();
            await Task.Delay(50);
        }
        var outcome = await run;

        Assert.NotNull(progress);
        Assert.Equal((SourceId, outcome.ReportId, false), (progress.SourceId, progress.ReportId, progress.DryRun));
        Assert.InRange(progress.RangesDone, 0, progress.RangesTotal);
        Assert.Null(await grain.GetProgressAsync());
    }
}
