using SnapshotService.Errors;
using SnapshotService.Reconciliation;
using SnapshotService.Reconciliation.Reports;
using SnapshotService.Storage;
using static SnapshotService.Core.Tests.Reconciliation.Reports.ReportTestData;

namespace SnapshotService.Core.Tests.Reconciliation.Reports;

public sealed class DriftReportWriterTests
{
    [Fact]
    public async Task a_written_report_reads_back_equal()
    {
        var store = new InMemoryObjectStore();
        var items = Keys("m", 150, DriftCategory.MissingInExport).Concat(Keys("x", 3, DriftCategory.ExtraInExport)).ToList();
        var written = await WriteAsync(store, items, keysPerPart: 64, repair: new DriftRepairSummary(153, 43, 195));

        var read = await new DriftReportStore(store).GetAsync(Source, written.Id, default);

        AssertSameReport(written, read);
        Assert.Equal(150, read.Counts.MissingInExport);
        Assert.Equal(3, read.Counts.ExtraInExport);
        Assert.Equal(100, read.CategoryOf(DriftCategory.MissingInExport).FirstKeys.Count);
        Assert.Equal("m000000", read.CategoryOf(DriftCategory.MissingInExport).FirstKeys[0]);
        Assert.Equal(3, read.CategoryOf(DriftCategory.MissingInExport).Parts.Count);
        Assert.Equal(new DriftRepairSummary(153, 43, 195), read.Repair);
        Assert.Equal(DriftReportStatus.Succeeded, read.Status);
        Assert.Equal(42, read.AnchorSeq);
        Assert.StartsWith("drift-", read.Id, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_failed_run_is_persisted_as_failed_with_its_reason()
    {
        var store = new InMemoryObjectStore();
        var written = await WriteAsync(store, [], status: ReconciliationStatus.Failed, reason: "range 3: source unreachable");

        var read = await new DriftReportStore(store).GetAsync(Source, written.Id, default);

        Assert.Equal(DriftReportStatus.Failed, read.Status);
        Assert.Equal("range 3: source unreachable", read.FailureReason);
        Assert.False(read.HasDrift);
    }

    [Fact]
    public async Task a_run_that_threw_is_persisted_as_failed_with_the_drift_found_so_far()
    {
        var store = new InMemoryObjectStore();
        var writer = new DriftReportWriter(store, Source, ReconciliationMode.Incremental, dryRun: true);
        await writer.OnDriftAsync(Item("a", DriftCategory.ContentMismatch), default);

        var report = await writer.FailAsync("export unreadable: segment 7 is damaged", 10, default);
        var read = await new DriftReportStore(store).GetAsync(Source, report.Id, default);

        Assert.Equal(DriftReportStatus.Failed, read.Status);
        Assert.Equal(ReconciliationMode.Incremental, read.Mode);
        Assert.Equal(1, read.Counts.ContentMismatch);
        Assert.Contains("segment 7", read.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_crash_before_the_report_document_leaves_no_visible_report()
    {
        var store = new CrashingStore(new InMemoryObjectStore());
        store.FailWhen = key => key.EndsWith(".json", StringComparison.Ordinal) && key.Contains("/reports/runs/drift-", StringComparison.Ordinal);
        var writer = new DriftReportWriter(store, Source, ReconciliationMode.Full, dryRun: true, keysPerPart: 10);
        var items = Keys("k", 35, DriftCategory.MissingInExport).ToList();
        foreach (var item in items)
        {
            await writer.OnDriftAsync(item, default);
        }

        await Assert.ThrowsAsync<IOException>(() => writer.CompleteAsync(Result(items), null, default));

        var reports = new DriftReportStore(store);
        var notFound = await Assert.ThrowsAsync<SnapshotServiceException>(() => reports.GetAsync(Source, writer.ReportId, default));
        Assert.Equal(ErrorKind.NotFound, notFound.Kind);
        Assert.Equal("report_id", notFound.Field);
        Assert.Empty((await reports.ListAsync(Source, new DriftReportQuery(), default)).Reports);
    }

    [Fact]
    public async Task a_crash_while_flushing_a_key_part_leaves_no_visible_report()
    {
        var store = new CrashingStore(new InMemoryObjectStore());
        store.FailWhen = key => key.EndsWith("-000002.jsonl.zst", StringComparison.Ordinal);
        var writer = new DriftReportWriter(store, Source, ReconciliationMode.Full, dryRun: true, keysPerPart: 10);

        await Assert.ThrowsAsync<IOException>(async () =>
        {
            foreach (var item in Keys("k", 35, DriftCategory.MissingInExport))
            {
                await writer.OnDriftAsync(item, default);
            }
        });

        Assert.Empty((await new DriftReportStore(store).ListAsync(Source, new DriftReportQuery(), default)).Reports);
    }

    [Fact]
    public async Task a_result_whose_counts_differ_from_the_items_received_is_refused()
    {
        var writer = new DriftReportWriter(new InMemoryObjectStore(), Source, ReconciliationMode.Full, dryRun: true);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CompleteAsync(Result([Item("a", DriftCategory.ExtraInExport)]), null, default));

        Assert.Contains("extra_in_export", e.Message, StringComparison.Ordinal);
    }

    internal static void AssertSameReport(DriftReport expected, DriftReport actual)
    {
        Assert.Equal(expected with { Categories = [] }, actual with { Categories = [] });
        Assert.Equal(expected.Categories.Count, actual.Categories.Count);
        foreach (var (e, a) in expected.Categories.Zip(actual.Categories))
        {
            Assert.Equal(e.Category, a.Category);
            Assert.Equal(e.Count, a.Count);
            Assert.Equal(e.FirstKeys, a.FirstKeys);
            Assert.Equal(e.Parts, a.Parts);
        }
    }
}
