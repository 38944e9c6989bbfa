using System.Net;
using Microsoft.Azure.Cosmos;
using Newtonsoft.Json.Linq;

namespace SnapshotService.CosmosTestServer.Tests;

public sealed class CrudThroughTheSdkTests
{
    [Fact]
    public async Task create_read_replace_upsert_and_delete_round_trip_through_the_sdk()
    {
        await using var context = await CosmosTestContext.StartAsync();
        var container = context.Container;
        var pk = new PartitionKey("pk-a");

        var created = await container.CreateItemAsync(CosmosTestContext.Doc("a", "pk-a", 1), pk);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.False(string.IsNullOrEmpty(created.ETag));

        var read = await container.ReadItemAsync<JObject>("a", pk);
        Assert.Equal(1, read.Resource.Value<int>("value"));
        Assert.True(read.Resource.Value<long>("_ts") > 0);

        var replaced = await container.ReplaceItemAsync(CosmosTestContext.Doc("a", "pk-a", 2), "a", pk);
        Assert.NotEqual(created.ETag, replaced.ETag);

        var stale = await Assert.ThrowsAsync<CosmosException>(() => container.ReplaceItemAsync(
            CosmosTestContext.Doc("a", "pk-a", 3), "a", pk, new ItemRequestOptions { IfMatchEtag = created.ETag }));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);

        var upserted = await container.UpsertItemAsync(CosmosTestContext.Doc("b", "pk-a", 5), pk);
        Assert.Equal(HttpStatusCode.Created, upserted.StatusCode);

        var patched = await container.PatchItemAsync<JObject>("b", pk, [PatchOperation.Set("/value", 6)]);
        Assert.Equal(6, patched.Resource.Value<int>("value"));

        var deleted = await container.DeleteItemAsync<JObject>("a", pk);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var missing = await Assert.ThrowsAsync<CosmosException>(() => container.ReadItemAsync<JObject>("a", pk));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task a_query_scoped_to_one_partition_key_returns_only_its_documents()
    {
        await using var context = await CosmosTestContext.StartAsync();
        await context.Container.CreateItemAsync(CosmosTestContext.Doc("a", "one"), new PartitionKey("one"));
        await context.Container.CreateItemAsync(CosmosTestContext.Doc("b", "one"), new PartitionKey("one"));
        await context.Container.CreateItemAsync(CosmosTestContext.Doc("c", "two"), new PartitionKey("two"));

        var items = await CosmosTestContext.QueryAllAsync(context.Container.GetItemQueryIterator<JObject>(
            "SELECT * FROM c", requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey("one") }));

        Assert.Equal(["a", "b"], items.Select(i => i.Value<string>("id")).Order());
    }

    [Fact]
    public async Task a_dotnet_transactional_batch_is_refused_with_a_message_naming_the_limitation()
    {
        await using var context = await CosmosTestContext.StartAsync(needsControlApi: true);
        var pk = new PartitionKey("one");

        var batch = await context.Container.CreateTransactionalBatch(pk)
            .CreateItem(CosmosTestContext.Doc("a", "one"))
            .ExecuteAsync();

        Assert.Equal(HttpStatusCode.BadRequest, batch.StatusCode);
        Assert.Contains("TransactionalBatch", batch.ErrorMessage, StringComparison.Ordinal);
    }
}
