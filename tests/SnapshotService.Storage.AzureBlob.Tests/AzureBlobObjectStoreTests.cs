using System.Text;

namespace SnapshotService.Storage.AzureBlob.Tests;

/// <summary>What only the blob store has: ETag-conditional replace, prefixes that isolate deployments, errors that name the container.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobObjectStoreTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task a_replace_with_a_stale_etag_fails_and_with_the_current_one_succeeds()
    {
        var store = azurite.NewStore();
        await store.PutAsync("sources/a/control/retention.json", "v1"u8.ToArray(), default);
        var (_, etag) = (await store.ReadWithETagAsync("sources/a/control/retention.json", default))!.Value;
        Assert.True(await store.TryReplaceAsync("sources/a/control/retention.json", "v2"u8.ToArray(), etag, default));

        Assert.False(await store.TryReplaceAsync("sources/a/control/retention.json", "v3"u8.ToArray(), etag, default));
        Assert.Equal("v2", Encoding.UTF8.GetString((await store.ReadAsync("sources/a/control/retention.json", default))!));
    }

    [Fact]
    public async Task two_prefixes_in_one_container_do_not_see_each_other()
    {
        var shared = azurite.NewStore();
        var container = shared.Description.Split('/')[^2];
        var prod = AzureBlobObjectStore.Create(new AzureBlobStoreOptions { ConnectionString = azurite.Server.ConnectionString, Container = container, Prefix = "prod" });
        var test = AzureBlobObjectStore.Create(new AzureBlobStoreOptions { ConnectionString = azurite.Server.ConnectionString, Container = container, Prefix = "test/" });

        await prod.PutAsync("sources/a/x.json", "prod"u8.ToArray(), default);
        await test.PutAsync("sources/a/x.json", "test"u8.ToArray(), default);

        Assert.Equal("prod", Encoding.UTF8.GetString((await prod.ReadAsync("sources/a/x.json", default))!));
        Assert.Equal(["sources/a/x.json"], await test.ListAsync("", default).Select(o => o.Key).ToListAsync());
        Assert.Equal(["prod/sources/a/x.json", "test/sources/a/x.json"], await shared.ListAsync("", default).Select(o => o.Key).ToListAsync());
    }

    [Fact]
    public async Task an_unreachable_account_fails_with_a_message_naming_the_container()
    {
        var store = AzureBlobObjectStore.Create(new AzureBlobStoreOptions
        {
            ConnectionString = azurite.Server.ConnectionString.Replace($":{azurite.Server.Port}/", $":{Testing.FreePort.Next()}/", StringComparison.Ordinal),
            Container = "nowhere",
            MaxRetries = 1,
        });

        var error = await Assert.ThrowsAsync<IOException>(async () => await store.ReadAsync("sources/a/x.json", default));

        Assert.Contains("nowhere", error.Message, StringComparison.Ordinal);
    }
}
