using Microsoft.Azure.Cosmos;
using Newtonsoft.Json.Linq;

namespace SnapshotService.CosmosTestServer.Tests;

/// <summary>Several partition key ranges: feed ranges partition the documents; scans per feed range.</summary>
public sealed class FeedRangeTests
{
    private static IEnumerable<string> Ids(int count) => Enumerable.Range(0, count).Select(i => $"doc-{i}");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task the_feed_ranges_partition_the_documents(int ranges)
    {
        await using var context = await CosmosTestContext.StartAsync(partitionKeyRanges: ranges);
        await context.CreateManyAsync(Ids(60));

        var feedRanges = await context.Container.GetFeedRangesAsync();
        if (context.Server is not null)
        {
            Assert.Equal(ranges, feedRanges.Count);
        }
        var perRange = new List<List<string>>();
        foreach (var range in feedRanges)
        {
            var (items, _, _) = await CosmosTestContext.DrainAsync(context.Container.GetChangeFeedIterator<JObject>(
                ChangeFeedStartFrom.Beginning(range), ChangeFeedMode.LatestVersion));
            perRange.Add(items.Select(i => i.Value<string>("id")!).ToList());
        }

        Assert.Equal(Ids(60).Order(), perRange.SelectMany(ids => ids).Order());
        if (ranges > 1 && context.Server is not null)
        {
            // 60 hashed keys over several ranges: every range gets some (the hash spreads them).
            Assert.All(perRange, ids => Assert.NotEmpty(ids));
        }
    }

    [Fact]
    public async Task a_scan_per_feed_range_with_small_pages_returns_each_document_once()
    {
        await using var context = await CosmosTestContext.StartAsync(partitionKeyRanges: 4);
        await context.CreateManyAsync(Ids(45));

        var all = new List<string>();
        foreach (var range in await context.Container.GetFeedRangesAsync())
        {
            var changeFeedIds = (await CosmosTestContext.DrainAsync(context.Container.GetChangeFeedIterator<JObject>(
                ChangeFeedStartFrom.Beginning(range), ChangeFeedMode.LatestVersion))).Items.Select(i => i.Value<string>("id")!);
            var scanned = await CosmosTestContext.QueryAllAsync(context.Container.GetItemQueryIterator<JObject>(
                range, new QueryDefinition("SELECT * FROM c"), requestOptions: new QueryRequestOptions { MaxItemCount = 4 }));
            var ids = scanned.Select(i => i.Value<string>("id")!).ToList();
            Assert.Equal(changeFeedIds.Order(), ids.Order());
            all.AddRange(ids);
        }

        Assert.Equal(Ids(45).Order(), all.Order());
    }

    [Fact]
    public async Task a_projection_scan_returns_id_etag_and_timestamp_matching_point_reads()
    {
        await using var context = await CosmosTestContext.StartAsync(partitionKeyRanges: 2);
        await context.CreateManyAsync(Ids(10));

        var rows = new List<JObject>();
        foreach (var range in await context.Container.GetFeedRangesAsync())
        {
            rows.AddRange(await CosmosTestContext.QueryAllAsync(context.Container.GetItemQueryIterator<JObject>(
                range, new QueryDefinition("SELECT c.id, c._etag, c._ts FROM c"), requestOptions: new QueryRequestOptions { MaxItemCount = 3 })));
        }

        Assert.Equal(10, rows.Count);
        foreach (var row in rows)
        {
            Assert.Equal(3, row.Count);
            var id = row.Value<string>("id")!;
            var read = await context.Container.ReadItemAsync<JObject>(id, new PartitionKey($"pk-{id}"));
            Assert.Equal(read.ETag, row.Value<string>("_etag"));
            Assert.Equal(read.Resource.Value<long>("_ts"), row.Value<long>("_ts"));
        }
    }

    [Fact]
    public async Task order_by_id_within_a_feed_range_and_across_the_container_is_sorted()
    {
        await using var context = await CosmosTestContext.StartAsync(partitionKeyRanges: 2);
        var ids = Ids(20).Reverse().ToList();
        await context.CreateManyAsync(ids);

        var ranges = await context.Container.GetFeedRangesAsync();
        var inRange = await CosmosTestContext.QueryAllAsync(context.Container.GetItemQueryIterator<JObject>(
            ranges[0], new QueryDefinition("SELECT * FROM c ORDER BY c.id"), requestOptions: new QueryRequestOptions { MaxItemCount = 3 }));
        var inRangeIds = inRange.Select(i => i.Value<string>("id")!).ToList();
        Assert.NotEmpty(inRangeIds);
        Assert.Equal(inRangeIds.Order(StringComparer.Ordinal), inRangeIds);

        var everything = await CosmosTestContext.QueryAllAsync(context.Container.GetItemQueryIterator<JObject>(
            new QueryDefinition("SELECT * FROM c ORDER BY c.id"), requestOptions: new QueryRequestOptions { MaxItemCount = 4 }));
        Assert.Equal(ids.Order(StringComparer.Ordinal), everything.Select(i => i.Value<string>("id")!));
    }

    [Fact]
    public async Task top_across_the_container_returns_that_many_documents()
    {
        await using var context = await CosmosTestContext.StartAsync(partitionKeyRanges: 2);
        await context.CreateManyAsync(Ids(10));

        var items = await CosmosTestContext.QueryAllAsync(context.Container.GetItemQueryIterator<JObject>(
            new QueryDefinition("SELECT TOP 3 * FROM c"), requestOptions: new QueryRequestOptions { MaxItemCount = 2 }));

        Assert.Equal(3, items.Count);
    }

    [Fact]
    public async Task an_aggregate_across_ranges_is_refused_with_a_message_naming_the_limitation()
    {
        await using var context = await CosmosTestContext.StartAsync(partitionKeyRanges: 2, needsControlApi: true);
        await context.CreateManyAsync(Ids(3));

        var error = await Assert.ThrowsAsync<CosmosException>(() => CosmosTestContext.QueryAllAsync(
            context.Container.GetItemQueryIterator<JObject>(new QueryDefinition("SELECT VALUE COUNT(1) FROM c"))));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Contains("aggregates", error.Message, StringComparison.Ordinal);
    }
}
