using Microsoft.Azure.Cosmos;
using Newtonsoft.Json.Linq;

namespace SnapshotService.CosmosTestServer.Tests;

/// <summary>A partition key range split in the middle of reading the change feed.</summary>
public sealed class SplitTests
{
    [Fact]
    public async Task a_split_mid_feed_loses_nothing_and_duplicates_nothing()
    {
        await using var context = await CosmosTestContext.StartAsync(partitionKeyRanges: 2, needsControlApi: true);
        var container = context.Container;
        await context.CreateManyAsync(Enumerable.Range(0, 40).Select(i => $"doc-{i}"));
        var options = new ChangeFeedRequestOptions { PageSizeHint = 5 };

        // Read one page per range and keep each range's continuation, as a capture worker would.
        var seen = new List<(string Id, long Lsn, int Value)>();
        var continuations = new List<string>();
        foreach (var range in await container.GetFeedRangesAsync())
        {
            var iterator = container.GetChangeFeedIterator<JObject>(ChangeFeedStartFrom.Beginning(range), ChangeFeedMode.LatestVersion, options);
            var page = await iterator.ReadNextAsync();
            seen.AddRange(page.Select(Key));
            continuations.Add(page.ContinuationToken);
        }

        var children = await context.TestServer.SplitRangeAsync("0");
        Assert.Equal(2, children.Count);
        await context.CreateManyAsync(Enumerable.Range(40, 20).Select(i => $"doc-{i}"));
        foreach (var i in new[] { 1, 2, 3 })
        {
            await container.UpsertItemAsync(CosmosTestContext.Doc($"doc-{i}", value: 7), new PartitionKey($"pk-doc-{i}"));
        }

        foreach (var continuation in continuations)
        {
            var resumed = container.GetChangeFeedIterator<JObject>(ChangeFeedStartFrom.ContinuationToken(continuation), ChangeFeedMode.LatestVersion, options);
            seen.AddRange((await CosmosTestContext.DrainAsync(resumed, 5)).Items.Select(Key));
        }

        Assert.Equal(3, (await container.GetFeedRangesAsync()).Count);
        // The SDK met the parent as gone and re-resolved to its children.
        Assert.True((await context.TestServer.GetAnswerCountsAsync()).GetValueOrDefault("410/1002") >= 1, context.TestServer.Output);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 60).Select(i => $"doc-{i}").Order(), seen.Select(s => s.Id).Distinct().Order());
        var latest = seen.GroupBy(s => s.Id).ToDictionary(g => g.Key, g => g.MaxBy(s => s.Lsn).Value);
        Assert.All(new[] { 1, 2, 3 }, i => Assert.Equal(7, latest[$"doc-{i}"]));
    }

    [Fact]
    public async Task after_a_split_the_new_feed_ranges_partition_the_documents()
    {
        await using var context = await CosmosTestContext.StartAsync(partitionKeyRanges: 1, needsControlApi: true);
        await context.CreateManyAsync(Enumerable.Range(0, 30).Select(i => $"doc-{i}"));
        await context.Container.GetFeedRangesAsync();

        await context.TestServer.SplitRangeAsync("0");

        var ranges = await context.Container.GetFeedRangesAsync();
        Assert.Equal(2, ranges.Count);
        var ids = new List<string>();
        foreach (var range in ranges)
        {
            var (items, _, _) = await CosmosTestContext.DrainAsync(context.Container.GetChangeFeedIterator<JObject>(
                ChangeFeedStartFrom.Beginning(range), ChangeFeedMode.LatestVersion));
            Assert.NotEmpty(items);
            ids.AddRange(items.Select(i => i.Value<string>("id")!));
        }
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"doc-{i}").Order(), ids.Order());
    }

    private static (string Id, long Lsn, int Value) Key(JObject item) =>
        (item.Value<string>("id")!, item.Value<long>("_lsn"), item.Value<int>("value"));
}
