using SnapshotService.Log;
using SnapshotService.Storage;

namespace SnapshotService.Core.Tests.Log;

public sealed class WriterRegistryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task a_writer_is_known_once_started_and_retired_only_once_it_says_so()
    {
        var store = new InMemoryObjectStore();
        var registry = new WriterRegistry(store, "orders");

        Assert.Null(await registry.ReadAsync("w1", default));

        await registry.RegisterAsync("w1", "10.0.0.4:11111@123", T0, default);
        var started = await registry.ReadAsync("w1", default);
        Assert.NotNull(started);
        Assert.Equal("10.0.0.4:11111@123", started.Host);
        Assert.Equal(T0, started.StartedAt);
        Assert.False(started.IsRetired);

        await registry.RetireAsync("w1", "deactivated (DuplicateActivation)", T0.AddMinutes(1), default);
        var retired = await registry.ReadAsync("w1", default);
        Assert.NotNull(retired);
        Assert.True(retired.IsRetired);
        Assert.Equal(T0.AddMinutes(1), retired.RetiredAt);
        Assert.Equal("deactivated (DuplicateActivation)", retired.RetiredReason);
        Assert.True(await store.ExistsAsync("sources/orders/writers/started/w1.json", default));
        Assert.True(await store.ExistsAsync("sources/orders/writers/retired/w1.json", default));
    }

    [Fact]
    public async Task records_are_never_rewritten_so_a_later_call_cannot_change_what_a_watcher_read()
    {
        var store = new InMemoryObjectStore();
        var registry = new WriterRegistry(store, "orders");
        await registry.RegisterAsync("w1", "silo-a", T0, default);
        await registry.RegisterAsync("w1", "silo-b", T0.AddHours(1), default);
        await registry.RetireAsync("w1", "first", T0, default);
        await registry.RetireAsync("w1", "second", T0.AddHours(1), default);

        var record = await registry.ReadAsync("w1", default);
        Assert.Equal("silo-a", record!.Host);
        Assert.Equal("first", record.RetiredReason);
    }

    [Fact]
    public async Task a_retirement_without_a_start_record_still_counts()
    {
        var registry = new WriterRegistry(new InMemoryObjectStore(), "orders");
        await registry.RetireAsync("w1", "paused", T0, default);

        var record = await registry.ReadAsync("w1", default);
        Assert.NotNull(record);
        Assert.True(record.IsRetired);
        Assert.Null(record.Host);
    }

    [Fact]
    public async Task collection_removes_old_retired_and_long_unretired_writers_but_never_the_current_one()
    {
        var store = new InMemoryObjectStore();
        var registry = new WriterRegistry(store, "orders");
        var now = T0.AddDays(30);
        foreach (var id in new[] { "retired-long-ago", "retired-just-now", "crashed", "running", "current" })
        {
            await registry.RegisterAsync(id, "silo", T0, default);
            store.SetLastModified(StoreKeys.WriterStarted("orders", id), now - TimeSpan.FromDays(8));
        }
        store.SetLastModified(StoreKeys.WriterStarted("orders", "running"), now - TimeSpan.FromDays(1));
        foreach (var id in new[] { "retired-long-ago", "retired-just-now", "current" })
        {
            await registry.RetireAsync(id, "stopped", T0, default);
            store.SetLastModified(StoreKeys.WriterRetired("orders", id), now - TimeSpan.FromHours(2));
        }
        store.SetLastModified(StoreKeys.WriterRetired("orders", "retired-just-now"), now - TimeSpan.FromMinutes(5));

        var deleted = await registry.CollectAsync(TimeSpan.FromHours(1), TimeSpan.FromDays(7), "current", now, default);

        Assert.Equal(3, deleted); // both records of retired-long-ago, the start record of crashed
        Assert.Null(await registry.ReadAsync("retired-long-ago", default));
        Assert.Null(await registry.ReadAsync("crashed", default));
        Assert.True((await registry.ReadAsync("retired-just-now", default))!.IsRetired);
        Assert.NotNull(await registry.ReadAsync("running", default));
        Assert.True((await registry.ReadAsync("current", default))!.IsRetired);
    }

    [Fact]
    public async Task an_unreadable_record_is_an_error_naming_the_key_not_a_silent_unknown()
    {
        var store = new InMemoryObjectStore();
        await store.PutAsync("sources/orders/writers/retired/w1.json", "{not json"u8.ToArray(), default);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => new WriterRegistry(store, "orders").ReadAsync("w1", default));
        Assert.Contains("sources/orders/writers/retired/w1.json", error.Message, StringComparison.Ordinal);
    }
}
