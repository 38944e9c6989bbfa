using System.Net;
using Microsoft.Azure.Cosmos;
using Newtonsoft.Json.Linq;

namespace SnapshotService.CosmosTestServer.Tests;

/// <summary>ChangeFeedMode.AllVersionsAndDeletes: every version and every delete, with metadata.</summary>
public sealed class AllVersionsAndDeletesTests
{
    [Fact]
    public async Task every_version_and_the_delete_appear_with_their_metadata()
    {
        await using var context = await CosmosTestContext.StartAsync(partitionKeyRanges: 2);
        var container = context.Container;
        var iterator = container.GetChangeFeedIterator<ChangeFeedItem<JObject>>(ChangeFeedStartFrom.Now(), ChangeFeedMode.AllVersionsAndDeletes);
        Assert.Equal(HttpStatusCode.NotModified, (await iterator.ReadNextAsync()).StatusCode);

        var pk = new PartitionKey("pk-a");
        await container.CreateItemAsync(CosmosTestContext.Doc("a", value: 1), pk);
        await container.ReplaceItemAsync(CosmosTestContext.Doc("a", value: 2), "a", pk);
        await container.DeleteItemAsync<JObject>("a", pk);
        var (items, _, _) = await CosmosTestContext.DrainAsync(iterator);

        Assert.Equal(
            [ChangeFeedOperationType.Create, ChangeFeedOperationType.Replace, ChangeFeedOperationType.Delete],
            items.Select(i => i.Metadata.OperationType));
        Assert.Equal(1, items[0].Current.Value<int>("value"));
        Assert.Equal(2, items[1].Current.Value<int>("value"));
        Assert.Equal(items[0].Metadata.Lsn, items[1].Metadata.PreviousLsn);
        Assert.True(items[1].Metadata.Lsn < items[2].Metadata.Lsn);
        Assert.Equal(items[1].Metadata.Lsn, items[2].Metadata.PreviousLsn);
        Assert.Equal("a", items[2].Metadata.Id);
        Assert.False(items[2].Metadata.IsTimeToLiveExpired);
    }

    [Fact]
    public async Task an_account_without_continuous_backup_rejects_all_versions_and_deletes_with_bad_request()
    {
        await using var context = await CosmosTestContext.StartAsync(allVersionsAndDeletes: false, needsControlApi: true);
        var iterator = context.Container.GetChangeFeedIterator<ChangeFeedItem<JObject>>(
            ChangeFeedStartFrom.Now(), ChangeFeedMode.AllVersionsAndDeletes);

        var error = await Assert.ThrowsAsync<CosmosException>(() => iterator.ReadNextAsync());

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Contains("mode must be enabled", error.Message, StringComparison.Ordinal);
    }
}
