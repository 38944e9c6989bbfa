using SnapshotService.Errors;
using SnapshotService.Reconciliation;
using SnapshotService.Reconciliation.Reports;
using SnapshotService.Storage;
using static SnapshotService.Core.Tests.Reconciliation.Reports.ReportTestData;

namespace SnapshotService.Core.Tests.Reconciliation.Reports;

public sealed class DriftEpisodesTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task episodes_accumulate_times_seen_and_first_and_last_seen_across_runs()
    {
        var store = new InMemoryObjectStore();
        var clock = new ManualClock(T0);
        var episodes = new DriftEpisodes(store);

        clock.Now = T0;
        await episodes.MergeAsync(await WriteAsync(store, [Item("a", DriftCategory.MissingInExport), Item("b", DriftCategory.ExtraInExport)], time: clock), default);
        clock.Now = T0.AddHours(1);
        await episodes.MergeAsync(await WriteAsync(store, [Item("a", DriftCategory.ContentMismatch)], time: clock), default);
        clock.Now = T0.AddHours(2);
        var third = await WriteAsync(store, [Item("a", DriftCategory.ContentMismatch), Item("c", DriftCategory.MissingInExport)], time: clock);
        await episodes.MergeAsync(third, default);

        var all = (await episodes.ListAsync(Source, 0, 0, null, default)).Episodes.ToDictionary(e => e.Key);
        Assert.Equal(3, all.Count);
        Assert.Equal(new DriftEpisode("a", T0, T0.AddHours(2), 3, DriftCategory.ContentMismatch, third.Id, null), all["a"]);
        Assert.Equal(1, all["b"].TimesSeen);
        Assert.Equal(T0, all["b"].LastSeen);
        Assert.Equal(T0.AddHours(2), all["c"].FirstSeen);

        var chronic = await episodes.ListAsync(Source, 2, 0, null, default);
        Assert.Equal(["a"], chronic.Episodes.Select(e => e.Key));
    }

    [Fact]
    public async Task merging_the_same_report_twice_counts_it_once()
    {
        var store = new InMemoryObjectStore();
        var episodes = new DriftEpisodes(store);
        var report = await WriteAsync(store, Keys("k", 50, DriftCategory.MissingInExport), keysPerPart: 7);

        Assert.Equal(50, await episodes.MergeAsync(report, default));
        Assert.Equal(0, await episodes.MergeAsync(report, default));

        Assert.All((await episodes.ListAsync(Source, 0, 1000, null, default)).Episodes, e => Assert.Equal(1, e.TimesSeen));
    }

    [Fact]
    public async Task repaired_at_can_be_set_and_survives_later_merges()
    {
        var store = new InMemoryObjectStore();
        var clock = new ManualClock(T0);
        var episodes = new DriftEpisodes(store);
        await episodes.MergeAsync(await WriteAsync(store, [Item("a", DriftCategory.MissingInExport), Item("b", DriftCategory.MissingInExport)], time: clock), default);

        Assert.Equal(1, await episodes.MarkRepairedAsync(Source, ["a", "unknown"], T0.AddMinutes(5), default));
        clock.Now = T0.AddHours(1);
        await episodes.MergeAsync(await WriteAsync(store, [Item("a", DriftCategory.MissingInExport)], time: clock), default);

        var all = (await episodes.ListAsync(Source, 0, 0, null, default)).Episodes.ToDictionary(e => e.Key);
        Assert.Equal(T0.AddMinutes(5), all["a"].RepairedAt);
        Assert.Equal(2, all["a"].TimesSeen);
        Assert.Null(all["b"].RepairedAt);
    }

    [Fact]
    public async Task episodes_page_through_every_bucket_without_repeats()
    {
        var store = new InMemoryObjectStore();
        var episodes = new DriftEpisodes(store);
        var items = Keys("k", 1_500, DriftCategory.ExtraInExport).ToList();
        await episodes.MergeAsync(await WriteAsync(store, items, keysPerPart: 400), default);

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await episodes.ListAsync(Source, 1, 333, token, default);
            Assert.True(page.Episodes.Count <= 333);
            seen.AddRange(page.Episodes.Select(e => e.Key));
            token = page.NextPageToken;
        }
        while (token is not null);

        Assert.Equal(items.Select(i => i.Key).Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Theory]
    [InlineData(-1, 0, null, "min_times_seen")]
    [InlineData(0, 1001, null, "page_size")]
    [InlineData(0, 0, "bogus", "page_token")]
    public async Task bad_episode_arguments_name_their_field(long minTimes, int pageSize, string? token, string field)
    {
        var e = await Assert.ThrowsAsync<SnapshotServiceException>(() => new DriftEpisodes(new InMemoryObjectStore()).ListAsync(Source, minTimes, pageSize, token, default));

        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal(field, e.Field);
    }
}
