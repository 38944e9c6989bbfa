using System.Text;
using SnapshotService.Storage;
using SnapshotService.Testing;

namespace SnapshotService.Core.Tests.Storage;

/// <summary>What only the file-system store does (temp files, partial reads under races); the rest is in <see cref="FileSystemStoreConformanceTests"/>.</summary>
public sealed class FileSystemObjectStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new("fsstore");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task put_if_absent_creates_once_and_refuses_the_second_time()
    {
        var store = new FileSystemObjectStore(_dir.Path);
        Assert.True(await store.PutIfAbsentAsync("sources/a/log/1.json", "one"u8.ToArray(), default));
        Assert.False(await store.PutIfAbsentAsync("sources/a/log/1.json", "two"u8.ToArray(), default));
        Assert.Equal("one", Encoding.UTF8.GetString((await store.ReadAsync("sources/a/log/1.json", default))!));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.Path, ".tmp")));
    }

    [Fact]
    public async Task many_racing_writers_of_one_key_have_exactly_one_winner_and_content_is_never_partial()
    {
        var store = new FileSystemObjectStore(_dir.Path, durable: false);
        for (var round = 0; round < 20; round++)
        {
            var key = $"sources/a/log/{round:D20}.json";
            var contents = Enumerable.Range(0, 16).Select(i => Enumerable.Repeat((byte)('a' + i), 64 * 1024).ToArray()).ToArray();
            var reads = new List<byte[]?>();
            var readerDone = false;
            var reader = Task.Run(async () =>
            {
                while (!Volatile.Read(ref readerDone))
                {
                    var bytes = await store.ReadAsync(key, default);
                    if (bytes is not null)
                    {
                        lock (reads)
                        {
                            reads.Add(bytes);
                        }
                    }
                }
            });
            var results = await Task.WhenAll(contents.Select(c => Task.Run(async () => await store.PutIfAbsentAsync(key, c, default))));
            Volatile.Write(ref readerDone, true);
            await reader;
            Assert.Equal(1, results.Count(r => r));
            var winner = contents[Array.IndexOf(results, true)];
            Assert.Equal(winner, await store.ReadAsync(key, default));
            Assert.All(reads, r => Assert.Equal(winner, r));
        }
    }

    [Fact]
    public async Task list_returns_keys_under_a_prefix_in_ordinal_order_and_skips_temp_files()
    {
        var store = new FileSystemObjectStore(_dir.Path);
        foreach (var key in new[] { "sources/b/log/2.json", "sources/a/log/10.json", "sources/a/log/2.json", "sources/a/segments/x.jsonl.zst", "sources/a/log/1.json" })
        {
            await store.PutIfAbsentAsync(key, "x"u8.ToArray(), default);
        }
        await File.WriteAllTextAsync(Path.Combine(_dir.Path, ".tmp", "left-by-crash.tmp"), "partial");
        var all = await store.ListAsync("", default).Select(o => o.Key).ToListAsync();
        Assert.Equal(["sources/a/log/1.json", "sources/a/log/10.json", "sources/a/log/2.json", "sources/a/segments/x.jsonl.zst", "sources/b/log/2.json"], all);
        var log = await store.ListAsync("sources/a/log/", default).Select(o => o.Key).ToListAsync();
        Assert.Equal(["sources/a/log/1.json", "sources/a/log/10.json", "sources/a/log/2.json"], log);
        var partial = await store.ListAsync("sources/a/log/1", default).Select(o => o.Key).ToListAsync();
        Assert.Equal(["sources/a/log/1.json", "sources/a/log/10.json"], partial);
        Assert.Empty(await store.ListAsync("sources/zzz/", default).ToListAsync());
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("/abs")]
    [InlineData("a//b")]
    [InlineData("a/./b")]
    [InlineData("a/../b")]
    [InlineData("Upper/case")]
    [InlineData("a/b/")]
    [InlineData("a\\b")]
    [InlineData("a b")]
    [InlineData("a/.tmp/x")]
    [InlineData("")]
    public async Task keys_that_could_escape_the_root_or_break_the_layout_are_refused(string key)
    {
        var store = new FileSystemObjectStore(_dir.Path);
        var e = await Assert.ThrowsAsync<ArgumentException>(async () => await store.PutAsync(key, "x"u8.ToArray(), default));
        Assert.Contains("key", e.Message, StringComparison.OrdinalIgnoreCase);
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.ReadAsync(key, default));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.PutIfAbsentAsync(key, "x"u8.ToArray(), default));
    }

    [Fact]
    public void refusal_messages_say_exactly_what_is_wrong()
    {
        Assert.Contains("starts with '/'", StoreKeys.Check("/etc/passwd"));
        Assert.Contains("segment '..'", StoreKeys.Check("../x"));
        Assert.Contains("empty segment", StoreKeys.Check("a//b"));
        Assert.Contains("contains 'U'", StoreKeys.Check("Upper"));
        Assert.Contains("characters long", StoreKeys.Check(new string('a', 600)));
        Assert.Null(StoreKeys.Check("sources/orders/log/00000000000000000001.json"));
    }

    [Fact]
    public void the_layout_builds_keys_under_the_source_root()
    {
        Assert.Equal("sources/orders/log/00000000000000000042.json", StoreKeys.Commit("orders", 42));
        Assert.Equal("sources/orders/segments/00000000000000000007-abc.jsonl.zst", StoreKeys.Segment("orders", 7, "abc"));
        Assert.Equal("sources/orders/checkpoints/00000000000000000064.json", StoreKeys.Checkpoint("orders", 64));
        Assert.Equal("sources/orders/checkpoints/latest.json", StoreKeys.LatestCheckpoint("orders"));
        Assert.Equal("sources/orders/control/capture.json", StoreKeys.Control("orders", "capture.json"));
        Assert.Equal("sources/orders/snapshots/snap-x.json", StoreKeys.Snapshot("orders", "snap-x"));
        Assert.Throws<ArgumentException>(() => StoreKeys.Commit("../etc", 1));
        Assert.True(StoreKeys.TryParseLeadingNumber(StoreKeys.Commit("orders", 42), out var n) && n == 42);
        Assert.False(StoreKeys.TryParseLeadingNumber(StoreKeys.LatestCheckpoint("orders"), out _));
    }

    [Fact]
    public async Task stale_temp_files_are_deleted_and_fresh_ones_kept()
    {
        var store = new FileSystemObjectStore(_dir.Path);
        var stale = Path.Combine(_dir.Path, ".tmp", "old.tmp");
        var fresh = Path.Combine(_dir.Path, ".tmp", "new.tmp");
        await File.WriteAllTextAsync(stale, "x");
        await File.WriteAllTextAsync(fresh, "x");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-2));
        var removed = store.DeleteStaleTempFiles(TimeSpan.FromHours(1));
        Assert.Equal([".tmp/old.tmp"], removed);
        Assert.True(File.Exists(fresh));
    }
}
