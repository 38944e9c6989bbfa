using System.Text;
using SnapshotService.Grains;
using SnapshotService.Reconciliation.Schedules;
using SnapshotService.Storage;

namespace SnapshotService.Core.Tests.Reconciliation.Schedules;

public sealed class ScheduleStoreTests
{
    private const string Source = "orders";
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private static ReconciliationSchedule Cron(string id) => new(
        Source, id, "0 2 * * *", "Europe/Berlin", null, ReconcileMode.Full, RepairPolicy.ReportOnly,
        T0, T0.AddMinutes(1), T0.AddHours(1), "drift-01m84rftxh8pzbm5kr1bapmqfg", "failed: repair is not available yet", T0.AddDays(1));

    private static ReconciliationSchedule Every(string id) => new(
        Source, id, null, null, TimeSpan.FromMinutes(15), ReconcileMode.Incremental, RepairPolicy.Auto,
        T0, T0, null, null, null, T0.AddMinutes(15));

    [Fact]
    public async Task schedules_round_trip_through_the_store_in_id_order()
    {
        var store = new ScheduleStore(new InMemoryObjectStore());
        await store.PutAsync(Every("quarter-hourly"), default);
        await store.PutAsync(Cron("nightly"), default);

        var listing = await store.ListAsync(Source, default);

        Assert.Empty(listing.Problems);
        Assert.Equal([Cron("nightly"), Every("quarter-hourly")], listing.Schedules);
        Assert.Equal(Cron("nightly"), await store.GetAsync(Source, "nightly", default));
    }

    [Fact]
    public async Task a_schedule_is_one_readable_json_file_under_schedules()
    {
        var objects = new InMemoryObjectStore();
        await new ScheduleStore(objects).PutAsync(Every("quarter-hourly"), default);

        var bytes = await objects.ReadAsync("sources/orders/schedules/quarter-hourly.json", default);

        var json = Encoding.UTF8.GetString(bytes!);
        Assert.Contains("\"format\": 1", json, StringComparison.Ordinal);
        Assert.Contains("\"every\": \"15m\"", json, StringComparison.Ordinal);
        Assert.Contains("\"mode\": \"incremental\"", json, StringComparison.Ordinal);
        Assert.Contains("\"repair_policy\": \"auto\"", json, StringComparison.Ordinal);
        Assert.Contains("\"next_fire_at\": \"2026-03-01T10:15:00+00:00\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task put_replaces_and_delete_removes()
    {
        var store = new ScheduleStore(new InMemoryObjectStore());
        await store.PutAsync(Every("s"), default);
        await store.PutAsync(Every("s") with { LastOutcome = "succeeded" }, default);

        Assert.Equal("succeeded", (await store.GetAsync(Source, "s", default))!.LastOutcome);
        Assert.True(await store.DeleteAsync(Source, "s", default));
        Assert.False(await store.DeleteAsync(Source, "s", default));
        Assert.Null(await store.GetAsync(Source, "s", default));
        Assert.Empty((await store.ListAsync(Source, default)).Schedules);
    }

    [Fact]
    public async Task an_unreadable_file_is_reported_and_does_not_hide_the_others()
    {
        var objects = new InMemoryObjectStore();
        var store = new ScheduleStore(objects);
        await store.PutAsync(Every("good"), default);
        await objects.PutAsync(StoreKeys.Schedule(Source, "broken"), "{\"format\":1,"u8.ToArray(), default);
        await objects.PutAsync(StoreKeys.Schedule(Source, "both"), Encoding.UTF8.GetBytes(
            "{\"format\":1,\"source_id\":\"orders\",\"schedule_id\":\"both\",\"cron\":\"0 2 * * *\",\"every\":\"15m\",\"mode\":\"full\",\"repair_policy\":\"auto\"}"), default);

        var listing = await store.ListAsync(Source, default);

        Assert.Equal(["good"], listing.Schedules.Select(s => s.ScheduleId));
        Assert.Equal(2, listing.Problems.Count);
        Assert.Contains(listing.Problems, p => p.Contains("broken.json' is not valid JSON", StringComparison.Ordinal));
        Assert.Contains(listing.Problems, p => p.Contains("exactly one of cron and every", StringComparison.Ordinal));
    }
}
