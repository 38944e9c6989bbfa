using System.Text;
using SnapshotService.Storage;
using Xunit;

namespace SnapshotService.Testing.Storage;

/// <summary>
/// What every <see cref="IObjectStore"/> must do, run against each implementation (the file
/// system in Core.Tests, Azure Blob Storage on Azurite in Storage.AzureBlob.Tests): put-if-absent
/// is exclusive even under races (the log's fencing depends on it), replace is whole, listing is
/// ordinal and prefix-exact, delete reports existence, bad keys are refused, big objects survive.
/// </summary>
public abstract class ObjectStoreConformanceTests
{
    /// <summary>A fresh, empty store.</summary>
    protected abstract Task<IObjectStore> NewStoreAsync();

    [Fact]
    public async Task put_if_absent_creates_once_and_refuses_the_second_time()
    {
        var store = await NewStoreAsync();
        Assert.True(await store.PutIfAbsentAsync("sources/a/log/1.json", "one"u8.ToArray(), default));
        Assert.False(await store.PutIfAbsentAsync("sources/a/log/1.json", "two"u8.ToArray(), default));
        Assert.Equal("one", Encoding.UTF8.GetString((await store.ReadAsync("sources/a/log/1.json", default))!));
    }

    [Fact]
    public async Task racing_put_if_absent_writers_of_one_key_have_exactly_one_winner()
    {
        var store = await NewStoreAsync();
        for (var round = 0; round < 5; round++)
        {
            var key = $"sources/race/log/{round:D20}.json";
            var contents = Enumerable.Range(0, 8).Select(i => Enumerable.Repeat((byte)('a' + i), 32 * 1024).ToArray()).ToArray();
            var results = await Task.WhenAll(contents.Select(c => Task.Run(async () => await store.PutIfAbsentAsync(key, c, default))));
            Assert.Equal(1, results.Count(r => r));
            Assert.Equal(contents[Array.IndexOf(results, true)], await store.ReadAsync(key, default));
        }
    }

    [Fact]
    public async Task put_replaces_whole_and_reading_a_missing_key_is_null()
    {
        var store = await NewStoreAsync();
        Assert.Null(await store.ReadAsync("sources/a/checkpoints/latest.json", default));
        Assert.False(await store.ExistsAsync("sources/a/checkpoints/latest.json", default));
        await store.PutAsync("sources/a/checkpoints/latest.json", "first, longer"u8.ToArray(), default);
        await store.PutAsync("sources/a/checkpoints/latest.json", "2"u8.ToArray(), default);
        Assert.Equal("2"u8.ToArray(), await store.ReadAsync("sources/a/checkpoints/latest.json", default));
        Assert.True(await store.ExistsAsync("sources/a/checkpoints/latest.json", default));
    }

    [Fact]
    public async Task list_returns_keys_under_a_prefix_in_ordinal_order_with_sizes()
    {
        var store = await NewStoreAsync();
        foreach (var key in new[] { "sources/b/log/2.json", "sources/a/log/10.json", "sources/a/log/2.json", "sources/a/segments/x.jsonl.zst", "sources/a/log/1.json", "sources/a/log-other/1.json" })
        {
            await store.PutIfAbsentAsync(key, "xyz"u8.ToArray(), default);
        }
        var all = await store.ListAsync("", default).ToListAsync();
        Assert.Equal(["sources/a/log-other/1.json", "sources/a/log/1.json", "sources/a/log/10.json", "sources/a/log/2.json", "sources/a/segments/x.jsonl.zst", "sources/b/log/2.json"], all.Select(o => o.Key));
        Assert.All(all, o => Assert.Equal(3, o.Size));
        Assert.Equal(["sources/a/log/1.json", "sources/a/log/10.json", "sources/a/log/2.json"], await store.ListAsync("sources/a/log/", default).Select(o => o.Key).ToListAsync());
        Assert.Equal(["sources/a/log/1.json", "sources/a/log/10.json"], await store.ListAsync("sources/a/log/1", default).Select(o => o.Key).ToListAsync());
        Assert.Empty(await store.ListAsync("sources/zzz/", default).ToListAsync());
    }

    [Fact]
    public async Task delete_removes_and_reports_whether_the_object_existed()
    {
        var store = await NewStoreAsync();
        await store.PutAsync("sources/a/x.json", "x"u8.ToArray(), default);
        Assert.True(await store.DeleteAsync("sources/a/x.json", default));
        Assert.False(await store.DeleteAsync("sources/a/x.json", default));
        Assert.Null(await store.ReadAsync("sources/a/x.json", default));
        Assert.True(await store.PutIfAbsentAsync("sources/a/x.json", "again"u8.ToArray(), default));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("/abs")]
    [InlineData("a//b")]
    [InlineData("a/../b")]
    [InlineData("Upper/case")]
    [InlineData("a b")]
    [InlineData("")]
    public async Task keys_that_could_escape_or_break_the_layout_are_refused(string key)
    {
        var store = await NewStoreAsync();
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.PutAsync(key, "x"u8.ToArray(), default));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.PutIfAbsentAsync(key, "x"u8.ToArray(), default));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.ReadAsync(key, default));
    }

    [Fact]
    public async Task a_ten_megabyte_object_round_trips_byte_for_byte()
    {
        var store = await NewStoreAsync();
        var content = new byte[10 * 1024 * 1024 + 17];
        new Random(7).NextBytes(content);
        Assert.True(await store.PutIfAbsentAsync("sources/big/segments/00000000000000000001-x.jsonl.zst", content, default));
        Assert.Equal(content, await store.ReadAsync("sources/big/segments/00000000000000000001-x.jsonl.zst", default));
        Assert.False(await store.PutIfAbsentAsync("sources/big/segments/00000000000000000001-x.jsonl.zst", content.AsMemory(0, 10), default));
    }
}
