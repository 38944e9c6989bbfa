using SnapshotService.Reconciliation.Reports;

namespace SnapshotService.Grains.Tests;

/// <summary>After an aligned run, an incremental run point-reads the keys capture changed since, and scans only a rotating slice of ranges.</summary>
[Collection(ClusterCollection.Name)]
public sealed class IncrementalRunTests(ClusterFixture fixture)
{
    [Fact]
    public async Task an_incremental_run_after_an_aligned_run_point_reads_changed_keys_and_scans_one_slice()
    {
        const string SourceId = "sim-incremental";
        var source = fixture.Cluster.GrainFactory.GetGrain<ISourceGrain>(SourceId);
        await source.EnsureStartedAsync();
        var reconciliation = fixture.Cluster.GrainFactory.GetGrain<IReconciliationGrain>(SourceId);
        var reports = new DriftReportStore(fixture.Store);
        await source.WaitUntilAsync(s => s.CommittedSeq >= 1_000);

        // A repairing full run leaves the export aligned at its head (capture may lag the source; repair closes the gap).
        var full = await reports.GetAsync(SourceId, (await reconciliation.RunAsync(new ReconcileCommand(ReconcileMode.Full, DryRun: false))).ReportId, default);
        var committed = (await source.GetStatusAsync()).CommittedSeq;
        await source.WaitUntilAsync(s => s.CommittedSeq >= committed + 200);
        var incremental = await reports.GetAsync(SourceId, (await reconciliation.RunAsync(new ReconcileCommand(ReconcileMode.Incremental, DryRun: true))).ReportId, default);

        Assert.Equal((DriftReportStatus.Succeeded, 0L), (full.Status, full.Repair!.NotRepairable));
        Assert.Equal(DriftReportStatus.Succeeded, incremental.Status);
        Assert.True(incremental.RangesTotal >= 8, $"expected many ranges, got {incremental.RangesTotal}");
        var k = new Reconciliation.ReconciliationOptions().RotationRuns;
        Assert.Equal((incremental.RangesTotal + k - 1) / k, incremental.RangesChecked);
        Assert.True(incremental.KeysPointChecked > 0, "the keys captured since the aligned run are point-read");
        Assert.True(incremental.SourceDocumentsRead < full.SourceDocumentsRead, $"incremental read {incremental.SourceDocumentsRead}, full {full.SourceDocumentsRead}");
    }
}
