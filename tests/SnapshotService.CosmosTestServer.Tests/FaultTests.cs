using System.Net;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Newtonsoft.Json.Linq;

namespace SnapshotService.CosmosTestServer.Tests;

/// <summary>Injected faults as the .NET SDK experiences them.</summary>
public sealed class FaultTests
{
    [Fact]
    public async Task throttled_writes_are_retried_by_the_sdk_and_counted_in_its_diagnostics()
    {
        await using var context = await CosmosTestContext.StartAsync(needsControlApi: true);
        await context.TestServer.Inject429Async(3, TimeSpan.FromMilliseconds(20), on: "write");

        var response = await context.Container.CreateItemAsync(CosmosTestContext.Doc("a"), new PartitionKey("pk-a"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        // The SDK's diagnostics summary counts gateway calls by (status, substatus).
        using var diagnostics = JsonDocument.Parse(response.Diagnostics.ToString());
        var calls = diagnostics.RootElement.GetProperty("Summary").GetProperty("GatewayCalls");
        Assert.Equal(3, calls.GetProperty("(429, 3200)").GetInt32());
        Assert.Equal(1, calls.GetProperty("(201, 0)").GetInt32());
        var faults = await context.TestServer.GetFaultsAsync();
        Assert.Equal(3, faults.GetProperty("injected").GetProperty("429").GetInt32());
    }

    [Fact]
    public async Task a_throttled_change_feed_read_is_retried_and_loses_nothing()
    {
        await using var context = await CosmosTestContext.StartAsync(partitionKeyRanges: 2, needsControlApi: true);
        await context.CreateManyAsync(Enumerable.Range(0, 10).Select(i => $"doc-{i}"));
        await context.TestServer.Inject429Async(4, TimeSpan.FromMilliseconds(20), on: "feed");

        var (items, _, _) = await CosmosTestContext.DrainAsync(context.Container.GetChangeFeedIterator<JObject>(
            ChangeFeedStartFrom.Beginning(), ChangeFeedMode.LatestVersion));

        Assert.Equal(10, items.Select(i => i.Value<string>("id")).Distinct().Count());
        Assert.Equal(4, (await context.TestServer.GetFaultsAsync()).GetProperty("injected").GetProperty("429").GetInt32());
    }

    [Fact]
    public async Task an_injected_503_reaches_the_caller_as_service_unavailable_and_the_next_request_succeeds()
    {
        await using var context = await CosmosTestContext.StartAsync(needsControlApi: true);
        await context.Container.CreateItemAsync(CosmosTestContext.Doc("a"), new PartitionKey("pk-a"));
        await context.TestServer.Inject503Async(1, on: "write");

        var error = await Assert.ThrowsAsync<CosmosException>(
            () => context.Container.UpsertItemAsync(CosmosTestContext.Doc("a", value: 1), new PartitionKey("pk-a")));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);

        var retried = await context.Container.UpsertItemAsync(CosmosTestContext.Doc("a", value: 1), new PartitionKey("pk-a"));
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
    }

    [Fact]
    public async Task a_dropped_connection_on_a_read_is_survived_by_the_sdk_retry()
    {
        await using var context = await CosmosTestContext.StartAsync(needsControlApi: true);
        await context.Container.CreateItemAsync(CosmosTestContext.Doc("a"), new PartitionKey("pk-a"));
        await context.TestServer.DropConnectionsAsync(1, on: "read");

        var read = await context.Container.ReadItemAsync<JObject>("a", new PartitionKey("pk-a"));

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(1, (await context.TestServer.GetFaultsAsync()).GetProperty("injected").GetProperty("drop").GetInt32());
    }

    [Fact]
    public async Task reset_drops_every_database_and_pending_fault()
    {
        await using var context = await CosmosTestContext.StartAsync(needsControlApi: true);
        await context.TestServer.Inject503Async(5);

        await context.TestServer.ResetAsync();

        var missing = await Assert.ThrowsAsync<CosmosException>(() => context.Database.ReadAsync());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
