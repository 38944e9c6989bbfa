using System.Net;
using Microsoft.Azure.Cosmos;
using Newtonsoft.Json.Linq;

namespace SnapshotService.CosmosTestServer.Tests;

/// <summary>The LatestVersion change feed, pull model, per feed range, through the .NET SDK.</summary>
public sealed class ChangeFeedTests
{
    private static IEnumerable<string> Ids(string prefix, int count) => Enumerable.Range(0, count).Select(i => $"{prefix}-{i}");

    private static async Task<(List<JObject> Items, List<string> Continuations)> ReadEveryRangeAsync(
        Container container, IReadOnlyList<string>? continuations = null, int pageSize = 100)
    {
        var items = new List<JObject>();
        var next = new List<string>();
        var starts = continuations is null
            ? (await container.GetFeedRangesAsync()).Select(ChangeFeedStartFrom.Beginning).ToList()
            : continuations.Select(ChangeFeedStartFrom.ContinuationToken).ToList();
        foreach (var start in starts)
        {
            var iterator = container.GetChangeFeedIterator<JObject>(
                start, ChangeFeedMode.LatestVersion, new ChangeFeedRequestOptions { PageSizeHint = pageSize });
            var (page, continuation, _) = await CosmosTestContext.DrainAsync(iterator, pageSize);
            items.AddRange(page);
            next.Add(continuation);
        }
        return (items, next);
    }

    [Fact]
    public async Task writes_after_a_read_appear_in_the_next_read_of_each_feed_range_and_nothing_else()
    {
        await using var context = await CosmosTestContext.StartAsync(partitionKeyRanges: 2);
        await context.CreateManyAsync(Ids("first", 20));

        var (initial, continuations) = await ReadEveryRangeAsync(context.Container);
        Assert.Equal(Ids("first", 20).Order(), initial.Select(i => i.Value<string>("id")!).Order());

        await context.CreateManyAsync(Ids("second", 5));
        var (next, _) = await ReadEveryRangeAsync(context.Container, continuations);

        Assert.Equal(Ids("second", 5).Order(), next.Select(i => i.Value<string>("id")!).Order());
    }

    [Fact]
    public async Task an_idle_feed_answers_not_modified_and_keeps_its_continuation()
    {
        await using var context = await CosmosTestContext.StartAsync(partitionKeyRanges: 2);
        await context.CreateManyAsync(Ids("doc", 3));
        var iterator = context.Container.GetChangeFeedIterator<JObject>(ChangeFeedStartFrom.Beginning(), ChangeFeedMode.LatestVersion);
        var (items, _, _) = await CosmosTestContext.DrainAsync(iterator);
        Assert.Equal(3, items.Count);

        var idle = await iterator.ReadNextAsync();

        Assert.Equal(HttpStatusCode.NotModified, idle.StatusCode);
        Assert.Empty(idle);
    }

    [Fact]
    public async Task a_new_iterator_from_a_saved_continuation_resumes_after_the_last_change_read()
    {
        await using var context = await CosmosTestContext.StartAsync(partitionKeyRanges: 2);
        await context.CreateManyAsync(Ids("before", 10));
        var first = context.Container.GetChangeFeedIterator<JObject>(
            ChangeFeedStartFrom.Beginning(), ChangeFeedMode.LatestVersion, new ChangeFeedRequestOptions { PageSizeHint = 4 });
        var page = await first.ReadNextAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var seen = page.Select(i => i.Value<string>("id")!).ToList();
        var saved = page.ContinuationToken;

        // A fresh iterator, as after a process restart, from the saved continuation only.
        await context.CreateManyAsync(Ids("after", 3));
        var resumed = context.Container.GetChangeFeedIterator<JObject>(
            ChangeFeedStartFrom.ContinuationToken(saved), ChangeFeedMode.LatestVersion, new ChangeFeedRequestOptions { PageSizeHint = 4 });
        var (rest, _, _) = await CosmosTestContext.DrainAsync(resumed, 4);
        seen.AddRange(rest.Select(i => i.Value<string>("id")!));

        Assert.Equal(Ids("before", 10).Concat(Ids("after", 3)).Order(), seen.Order());
    }

    [Fact]
    public async Task an_update_after_a_read_appears_once_more_in_its_latest_version_and_a_delete_never()
    {
        await using var context = await CosmosTestContext.StartAsync(partitionKeyRanges: 2);
        var container = context.Container;
        await context.CreateManyAsync(Ids("doc", 4));
        var (_, continuations) = await ReadEveryRangeAsync(container);

        await container.UpsertItemAsync(CosmosTestContext.Doc("doc-1", value: 1), new PartitionKey("pk-doc-1"));
        await container.UpsertItemAsync(CosmosTestContext.Doc("doc-1", value: 2), new PartitionKey("pk-doc-1"));
        await container.DeleteItemAsync<JObject>("doc-2", new PartitionKey("pk-doc-2"));
        var (changes, _) = await ReadEveryRangeAsync(container, continuations);

        var change = Assert.Single(changes);
        Assert.Equal("doc-1", change.Value<string>("id"));
        Assert.Equal(2, change.Value<int>("value"));
    }

    [Fact]
    public async Task every_feed_item_carries_an_lsn_that_grows_with_each_write()
    {
        await using var context = await CosmosTestContext.StartAsync(partitionKeyRanges: 1);
        await context.CreateManyAsync(Ids("doc", 3));
        await context.Container.UpsertItemAsync(CosmosTestContext.Doc("doc-0", value: 9), new PartitionKey("pk-doc-0"));

        var (items, _, _) = await CosmosTestContext.DrainAsync(
            context.Container.GetChangeFeedIterator<JObject>(ChangeFeedStartFrom.Beginning(), ChangeFeedMode.LatestVersion));

        var lsns = items.Select(i => i.Value<long>("_lsn")).ToList();
        Assert.Equal(lsns.Order(), lsns);
        Assert.Equal(lsns.Count, lsns.Distinct().Count());
        Assert.Equal("doc-0", items[^1].Value<string>("id"));
    }

    [Fact]
    public async Task start_from_now_sees_only_later_writes()
    {
        await using var context = await CosmosTestContext.StartAsync(partitionKeyRanges: 2);
        await context.CreateManyAsync(Ids("old", 5));
        var iterator = context.Container.GetChangeFeedIterator<JObject>(ChangeFeedStartFrom.Now(), ChangeFeedMode.LatestVersion);
        Assert.Equal(HttpStatusCode.NotModified, (await iterator.ReadNextAsync()).StatusCode);

        await context.CreateManyAsync(Ids("new", 2));
        var (items, _, _) = await CosmosTestContext.DrainAsync(iterator);

        Assert.Equal(Ids("new", 2).Order(), items.Select(i => i.Value<string>("id")!).Order());
    }

    [Fact]
    public async Task start_from_a_time_sees_writes_from_that_second_on()
    {
        await using var context = await CosmosTestContext.StartAsync(partitionKeyRanges: 2);
        await context.CreateManyAsync(Ids("old", 3));
        var lastOld = (await context.Container.ReadItemAsync<JObject>("old-2", new PartitionKey("pk-old-2"))).Resource.Value<long>("_ts");
        // _ts has second resolution: the new writes must land in a later second than the old ones.
        while (DateTimeOffset.UtcNow.ToUnixTimeSeconds() <= lastOld)
        {
            await Task.Delay(100);
        }
        var from = DateTimeOffset.FromUnixTimeSeconds(lastOld + 1).UtcDateTime;
        await context.CreateManyAsync(Ids("new", 2));

        var (items, _, _) = await CosmosTestContext.DrainAsync(context.Container.GetChangeFeedIterator<JObject>(
            ChangeFeedStartFrom.Time(from), ChangeFeedMode.LatestVersion));

        Assert.Equal(Ids("new", 2).Order(), items.Select(i => i.Value<string>("id")!).Order());
    }

    [Fact]
    public async Task pages_hold_at_most_the_page_size_hint()
    {
        await using var context = await CosmosTestContext.StartAsync(partitionKeyRanges: 1);
        await context.CreateManyAsync(Ids("doc", 12));

        var (items, _, pages) = await CosmosTestContext.DrainAsync(
            context.Container.GetChangeFeedIterator<JObject>(
                ChangeFeedStartFrom.Beginning(), ChangeFeedMode.LatestVersion, new ChangeFeedRequestOptions { PageSizeHint = 5 }),
            maxPageSize: 5);

        Assert.Equal(12, items.Count);
        Assert.Equal(3, pages);
    }
}
