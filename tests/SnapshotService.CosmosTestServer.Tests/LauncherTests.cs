using System.Net;
using Microsoft.Azure.Cosmos;
using Newtonsoft.Json.Linq;
using SnapshotService.Testing;
using SnapshotService.Testing.Cosmos;

namespace SnapshotService.CosmosTestServer.Tests;

public sealed class LauncherTests
{
    [Fact]
    public void a_package_folder_without_node_modules_fails_with_the_install_hint()
    {
        using var empty = new TempDirectory("cosmos-server");

        var error = Assert.Throws<InvalidOperationException>(() => CosmosGatewayServer.ThrowIfNotInstalled(empty.Path));

        Assert.Contains("run ./test.sh to install tests/cosmos-test-server/node_modules", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_server_listens_on_loopback_with_tls_and_a_client_trusting_another_certificate_is_refused()
    {
        await using var server = await CosmosGatewayServer.StartAsync();
        Assert.Equal("127.0.0.1", server.Endpoint.Host);
        Assert.Equal("https", server.Endpoint.Scheme);

        using var strict = new CosmosClient(server.Endpoint.ToString(), server.Key, CosmosTestContext.Options(certificateCheck: null));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => strict.ReadAccountAsync());
        Assert.Contains("certificate", error.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task concurrent_writes_get_distinct_lsns_and_the_feed_ends_with_the_stored_version()
    {
        await using var context = await CosmosTestContext.StartAsync(partitionKeyRanges: 2, needsControlApi: true);
        var pk = new PartitionKey("pk-hot");
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            context.Container.UpsertItemAsync(CosmosTestContext.Doc("hot", "pk-hot", i), pk)));

        var stored = (await context.Container.ReadItemAsync<JObject>("hot", pk)).Resource;
        var (items, _, _) = await CosmosTestContext.DrainAsync(context.Container.GetChangeFeedIterator<JObject>(
            ChangeFeedStartFrom.Beginning(), ChangeFeedMode.LatestVersion));

        var item = Assert.Single(items);
        Assert.Equal(stored.Value<int>("value"), item.Value<int>("value"));
        Assert.Equal(stored.Value<string>("_etag"), item.Value<string>("_etag"));
        Assert.Equal(20, (await context.TestServer.GetContainerInfoAsync(context.Database.Id, "items")).GetProperty("lastLsn").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await context.Container.ReadItemAsync<JObject>("hot", pk)).StatusCode);
    }
}
