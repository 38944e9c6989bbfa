using SnapshotService.Errors;
using SnapshotService.Reconciliation.Reports;
using SnapshotService.State;

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
        // Several ranges, each scan pausing 2 s (SlowScanSource), so the run is seen part-way: wait
        // for a live-state checkpoint that splits the keys into ranges (a run over 500 keys then
        // takes about a minute; before the first checkpoint it would be one range, done at the end).
        await WaitForLiveStateRangesAsync(SourceId, atLeast: 2);
        var grain = fixture.Cluster.GrainFactory.GetGrain<IReconciliationGrain>(SourceId);

        var run = grain.RunAsync(new ReconcileCommand(ReconcileMode.Full, DryRun: false));
        var seen = new List<ReconcileProgress>();
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!run.IsCompleted && DateTime.UtcNow < deadline)
        {
            if (await grain.GetProgressAsync() is { } progress)
            {
                seen.Add(progress);
            }
            await Task.Delay(50);
        }
        var outcome = await run;
        var report = await new DriftReportStore(fixture.Store).GetAsync(SourceId, outcome.ReportId, default);

        Assert.NotEmpty(seen);
        Assert.All(seen, p => Assert.Equal((SourceId, outcome.ReportId, ReconcileMode.Full, false), (p.SourceId, p.ReportId, p.Mode, p.DryRun)));
        // Ranges are counted as they are done, toward the run's total, and never backwards.
        var counted = seen.Where(p => p.RangesTotal > 0).ToList();
        Assert.All(counted, p => Assert.Equal(report.RangesTotal, p.RangesTotal));
        Assert.Equal(counted.Select(p => p.RangesDone).Order(), counted.Select(p => p.RangesDone));
        Assert.Contains(counted, p => p.RangesDone > 0 && p.RangesDone < p.RangesTotal && p.SourceDocumentsRead > 0);
        Assert.Equal(report.RangesTotal, report.RangesChecked);
        Assert.Null(await grain.GetProgressAsync());
    }

    private async Task WaitForLiveStateRangesAsync(string sourceId, int atLeast)
    {
        var reader = new LiveStateReader(fixture.Store, sourceId);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await reader.ReadLatestManifestAsync(default) is not { } manifest || manifest.Ranges.Count < atLeast)
        {
            Assert.True(DateTime.UtcNow < deadline, $"source '{sourceId}' has no live-state checkpoint with {atLeast} ranges after a minute");
            await Task.Delay(200);
        }
    }
}
