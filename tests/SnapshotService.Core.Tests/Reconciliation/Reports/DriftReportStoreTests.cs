using SnapshotService.Errors;
using SnapshotService.Reconciliation;
using SnapshotService.Reconciliation.Reports;
using SnapshotService.Storage;
using static SnapshotService.Core.Tests.Reconciliation.Reports.ReportTestData;

namespace SnapshotService.Core.Tests.Reconciliation.Reports;

public sealed class DriftReportStoreTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task keys_page_across_part_boundaries_in_the_order_they_were_found()
    {
        var store = new InMemoryObjectStore();
        var missing = Keys("m", 2_345, DriftCategory.MissingInExport).ToList();
        var mismatched = Keys("c", 1_001, DriftCategory.ContentMismatch).ToList();
        var report = await WriteAsync(store, missing.Concat(mismatched), keysPerPart: 300);
        var reports = new DriftReportStore(store);

        Assert.Equal(8, report.CategoryOf(DriftCategory.MissingInExport).Parts.Count);
        Assert.Equal(missing, await ReadAllKeysAsync(reports, report.Id, DriftCategory.MissingInExport, pageSize: 1000));
        Assert.Equal(missing, await ReadAllKeysAsync(reports, report.Id, DriftCategory.MissingInExport, pageSize: 299));
        Assert.Equal(mismatched, await ReadAllKeysAsync(reports, report.Id, DriftCategory.ContentMismatch, pageSize: 0));
        Assert.Empty(await ReadAllKeysAsync(reports, report.Id, DriftCategory.VersionRegression, pageSize: 10));
    }

    [Fact]
    public async Task list_is_newest_first_and_pages_with_an_opaque_token()
    {
        var store = new InMemoryObjectStore();
        var clock = new ManualClock(T0);
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            clock.Now = T0.AddMinutes(i);
            ids.Add((await WriteAsync(store, i % 2 == 0 ? [Item($"k{i}", DriftCategory.ExtraInExport)] : [], time: clock)).Id);
        }
        var reports = new DriftReportStore(store);

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await reports.ListAsync(Source, new DriftReportQuery(PageSize: 3, PageToken: token), default);
            Assert.True(page.Reports.Count <= 3);
            seen.AddRange(page.Reports.Select(r => r.Id));
            token = page.NextPageToken;
        }
        while (token is not null);

        Assert.Equal(Enumerable.Reverse(ids), seen);
    }

    [Fact]
    public async Task list_filters_by_drift_and_by_start_time()
    {
        var store = new InMemoryObjectStore();
        var clock = new ManualClock(T0);
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            clock.Now = T0.AddMinutes(i);
            ids.Add((await WriteAsync(store, i % 2 == 0 ? [Item($"k{i}", DriftCategory.ExtraInExport)] : [], time: clock)).Id);
        }
        var reports = new DriftReportStore(store);

        var onlyDrift = await reports.ListAsync(Source, new DriftReportQuery(OnlyDrift: true), default);
        var since = await reports.ListAsync(Source, new DriftReportQuery(Since: T0.AddMinutes(3)), default);
        var both = await reports.ListAsync(Source, new DriftReportQuery(OnlyDrift: true, Since: T0.AddMinutes(2), PageSize: 1), default);
        var bothNext = await reports.ListAsync(Source, new DriftReportQuery(OnlyDrift: true, Since: T0.AddMinutes(2), PageSize: 1, PageToken: both.NextPageToken), default);

        Assert.Equal([ids[4], ids[2], ids[0]], onlyDrift.Reports.Select(r => r.Id));
        Assert.Equal([ids[5], ids[4], ids[3]], since.Reports.Select(r => r.Id));
        Assert.Equal([ids[4]], both.Reports.Select(r => r.Id));
        Assert.Equal([ids[2]], bothNext.Reports.Select(r => r.Id));
    }

    [Theory]
    [InlineData("")]
    [InlineData("drift-xyz")]
    [InlineData("snap-01jh5x0m6d7h3a9c2q4r8t5v6w")]
    [InlineData("drift-01jh5x0m6d7h3a9c2q4r8t5v6u")]
    public async Task a_malformed_report_id_is_an_invalid_argument_naming_report_id(string id)
    {
        var e = await Assert.ThrowsAsync<SnapshotServiceException>(() => new DriftReportStore(new InMemoryObjectStore()).GetAsync(Source, id, default));

        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal("report_id", e.Field);
    }

    [Fact]
    public async Task an_unknown_report_is_not_found_naming_report_id()
    {
        var e = await Assert.ThrowsAsync<SnapshotServiceException>(() =>
            new DriftReportStore(new InMemoryObjectStore()).ListKeysAsync(Source, DriftReportIds.NewId(T0), DriftCategory.MissingInExport, 0, null, default));

        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Equal("report_id", e.Field);
    }

    [Theory]
    [InlineData(-1, null, "page_size")]
    [InlineData(1001, null, "page_size")]
    [InlineData(10, "not-a-token", "page_token")]
    [InlineData(10, "djE6ZHJpZnQteA", "page_token")]
    public async Task bad_list_arguments_name_their_field(int pageSize, string? token, string field)
    {
        var e = await Assert.ThrowsAsync<SnapshotServiceException>(() =>
            new DriftReportStore(new InMemoryObjectStore()).ListAsync(Source, new DriftReportQuery(PageSize: pageSize, PageToken: token), default));

        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public async Task a_key_page_token_of_another_category_or_size_names_page_token()
    {
        var store = new InMemoryObjectStore();
        var report = await WriteAsync(store, Keys("m", 30, DriftCategory.MissingInExport).Concat(Keys("x", 5, DriftCategory.ExtraInExport)));
        var reports = new DriftReportStore(store);
        var page = await reports.ListKeysAsync(Source, report.Id, DriftCategory.MissingInExport, 10, null, default);

        var other = await Assert.ThrowsAsync<SnapshotServiceException>(() => reports.ListKeysAsync(Source, report.Id, DriftCategory.ExtraInExport, 10, page.NextPageToken, default));
        var size = await Assert.ThrowsAsync<SnapshotServiceException>(() => reports.ListKeysAsync(Source, report.Id, DriftCategory.ExtraInExport, 5000, null, default));

        Assert.Equal("page_token", other.Field);
        Assert.Equal("page_size", size.Field);
    }

    [Fact]
    public void an_unknown_category_name_is_an_invalid_argument_listing_the_valid_names()
    {
        var e = Assert.Throws<SnapshotServiceException>(() => DriftCategoryNames.Parse("missing"));

        Assert.Equal("category", e.Field);
        Assert.Contains("missing_in_export", e.Message, StringComparison.Ordinal);
        Assert.Equal(DriftCategory.VersionRegression, DriftCategoryNames.Parse("version_regression"));
    }

    private static async Task<List<DriftItem>> ReadAllKeysAsync(DriftReportStore reports, string reportId, DriftCategory category, int pageSize)
    {
        var all = new List<DriftItem>();
        string? token = null;
        do
        {
            var page = await reports.ListKeysAsync(Source, reportId, category, pageSize, token, default);
            all.AddRange(page.Items);
            token = page.NextPageToken;
        }
        while (token is not null);
        return all;
    }
}
