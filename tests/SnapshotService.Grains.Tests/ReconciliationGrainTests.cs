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
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await source.GetStatusAsync()).CommittedSeq == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        var grain = fixture.Cluster.GrainFactory.GetGrain<IReconciliationGrain>(SourceId);

        var first = grain.RunAsync(new ReconcileCommand(ReconcileMode.Full, DryRun: true));
        await Task.Delay(500); // the first run is now scanning (each range scan pauses 2 s)
        var error = await Assert.ThrowsAsync<SnapshotServiceException>(() => grain.RunAsync(new ReconcileCommand(ReconcileMode.Full, DryRun: true)));

        Assert.Equal(ErrorKind.FailedPrecondition, error.Kind);
        Assert.Contains("is running (report_id drift-", error.Message, StringComparison.Ordinal);
        var outcome = await first;
        Assert.Contains(outcome.ReportId, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_run_that_would_repair_is_refused_until_repair_exists()
    {
        var grain = fixture.Cluster.GrainFactory.GetGrain<IReconciliationGrain>("sim-repair");
        var error = await Assert.ThrowsAsync<SnapshotServiceException>(() => grain.RunAsync(new ReconcileCommand(ReconcileMode.Full, DryRun: false)));
        Assert.Equal((ErrorKind.FailedPrecondition, "dry_run"), (error.Kind, error.Field));
    }
}
