using SnapshotService.Restore;
using SnapshotService.Testing;

namespace SnapshotService.Sources.Cosmos.Tests;

/// <summary>Capture through the real SDK against the gateway test server.</summary>
public sealed class CosmosCaptureTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task every_document_is_captured_once_with_one_reader_per_feed_range(int ranges)
    {
        await using var context = await CosmosSourceContext.StartAsync(ranges);
        for (var i = 0; i < 60; i++)
        {
            await context.UpsertAsync($"doc-{i:D3}", i);
        }
        await using var source = context.CreateSource();

        var (changes, _, _) = await CosmosSourceContext.ReadUntilAsync(source, SourcePosition.Start, c => c.Count >= 60);

        Assert.Equal(ranges, source.ActiveFeedRanges);
        Assert.Equal(60, changes.Count);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => CosmosSourceContext.KeyOf($"doc-{i:D3}")).Order(StringComparer.Ordinal), changes.Select(c => c.Key).Order(StringComparer.Ordinal));
        Assert.All(changes, c => Assert.Equal($"pk-{c.Key.Split('\0')[0]}", c.PartitionKey));
        Assert.All(changes, c => Assert.DoesNotContain("_lsn", System.Text.Encoding.UTF8.GetString(c.Document.Span), StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_restart_from_a_saved_position_mid_feed_with_several_ranges_has_no_gap_and_no_duplicate()
    {
        await using var context = await CosmosSourceContext.StartAsync(ranges: 4);
        for (var i = 0; i < 80; i++)
        {
            await context.UpsertAsync($"doc-{i:D3}", i);
        }
        var seen = new List<SourceChange>();
        SourcePosition position;
        await using (var first = context.CreateSource())
        {
            // Small batches cut pages in the middle, so the saved position skips inside a page.
            (var changes, position, _) = await CosmosSourceContext.ReadUntilAsync(first, SourcePosition.Start, c => c.Count >= 30, maxChanges: 7);
            seen.AddRange(changes);
        }
        for (var i = 80; i < 100; i++)
        {
            await context.UpsertAsync($"doc-{i:D3}", i);
        }
        await using (var second = context.CreateSource())
        {
            var (changes, _, _) = await CosmosSourceContext.ReadUntilAsync(second, position, c => seen.Count + c.Count >= 100, maxChanges: 7);
            seen.AddRange(changes);
        }

        Assert.Equal(100, seen.Count);
        Assert.Equal(100, seen.Select(c => c.Key).Distinct().Count());
    }

    [Fact]
    public async Task a_split_during_capture_loses_nothing_and_duplicates_nothing()
    {
        await using var context = await CosmosSourceContext.StartAsync(ranges: 2);
        for (var i = 0; i < 40; i++)
        {
            await context.UpsertAsync($"doc-{i:D3}", i);
        }
        await using var source = context.CreateSource();
        var (before, position, _) = await CosmosSourceContext.ReadUntilAsync(source, SourcePosition.Start, c => c.Count >= 10, maxChanges: 10);

        await context.TestServer.SplitRangeAsync("0");
        for (var i = 40; i < 60; i++)
        {
            await context.UpsertAsync($"doc-{i:D3}", i);
        }
        var (after, _, _) = await CosmosSourceContext.ReadUntilAsync(source, position, c => before.Count + c.Count >= 60);

        var all = before.Concat(after).ToList();
        Assert.Equal(60, all.Count);
        Assert.Equal(60, all.Select(c => c.Key).Distinct().Count());
        Assert.True((await context.TestServer.GetAnswerCountsAsync()).GetValueOrDefault("410/1002") >= 1, "no 410/1002 was served");
    }

    [Fact]
    public async Task a_429_storm_slows_capture_which_recovers_and_loses_nothing()
    {
        await using var context = await CosmosSourceContext.StartAsync(ranges: 2);
        await using var source = context.CreateSource();
        var (_, position, _) = await CosmosSourceContext.ReadUntilAsync(source, SourcePosition.Start, c => true);
        await context.TestServer.Inject429RateAsync(0.6, TimeSpan.FromMilliseconds(30), on: "feed");
        for (var i = 0; i < 50; i++)
        {
            await context.UpsertAsync($"doc-{i:D3}", i);
        }

        var (changes, _, _) = await CosmosSourceContext.ReadUntilAsync(source, position, c => c.Count >= 50);
        await context.TestServer.ClearFaultsAsync();

        Assert.Equal(50, changes.Select(c => c.Key).Distinct().Count());
        Assert.Equal(50, changes.Count);
        Assert.True((await context.TestServer.GetFaultsAsync()).GetProperty("injected").GetProperty("429").GetInt32() > 0, "no 429 was injected");
    }

    [Fact]
    public async Task a_503_and_dropped_connections_on_the_feed_are_retried_without_loss()
    {
        await using var context = await CosmosSourceContext.StartAsync(ranges: 1);
        for (var i = 0; i < 20; i++)
        {
            await context.UpsertAsync($"doc-{i:D3}", i);
        }
        await context.TestServer.Inject503Async(3, on: "feed");
        await context.TestServer.DropConnectionsAsync(2, on: "feed");
        await using var source = context.CreateSource();

        var (changes, _, _) = await CosmosSourceContext.ReadUntilAsync(source, SourcePosition.Start, c => c.Count >= 20);

        Assert.Equal(20, changes.Select(c => c.Key).Distinct().Count());
    }

    [Fact]
    public async Task in_latest_version_mode_a_delete_never_appears_in_the_feed()
    {
        await using var context = await CosmosSourceContext.StartAsync(ranges: 2);
        await using var source = context.CreateSource();
        var (_, position, _) = await CosmosSourceContext.ReadUntilAsync(source, SourcePosition.Start, c => true);
        await context.UpsertAsync("a", 1);
        await context.UpsertAsync("b", 1);
        await context.DeleteAsync("a");
        await context.UpsertAsync("c", 1);

        var (changes, _, _) = await CosmosSourceContext.ReadUntilAsync(source, position, c => c.Any(x => x.Key == CosmosSourceContext.KeyOf("c")));

        // "a" itself may or may not show up as an upsert: the readers keep polling, and one may
        // read between its upsert and its delete (Cosmos DB does the same). What must hold: no
        // delete is ever delivered in this mode, and a scan no longer has "a".
        Assert.DoesNotContain(changes, c => c.Operation == ChangeOperation.Delete);
        Assert.DoesNotContain(await ScanKeysAsync(source), k => k == CosmosSourceContext.KeyOf("a"));
    }

    [Fact]
    public async Task in_all_versions_mode_deletes_are_captured_and_an_initial_backfill_loads_what_existed()
    {
        await using var context = await CosmosSourceContext.StartAsync(ranges: 2, mode: CosmosFeedMode.AllVersionsAndDeletes);
        await context.UpsertAsync("old", 1);
        await using var source = context.CreateSource();
        var (first, position, notices) = await CosmosSourceContext.ReadUntilAsync(source, SourcePosition.Start, c => c.Any(x => x.Key == CosmosSourceContext.KeyOf("old")));
        await context.UpsertAsync("a", 1);
        await context.UpsertAsync("a", 2);
        await context.DeleteAsync("a");

        var (changes, _, _) = await CosmosSourceContext.ReadUntilAsync(source, position, c => c.Any(x => x.Operation == ChangeOperation.Delete));

        Assert.Contains(first, c => c.Origin == ChangeOrigin.Backfill);
        Assert.Contains(notices, n => n.Kind == SourceNoticeKind.BackfillStarted);
        Assert.Equal([ChangeOperation.Upsert, ChangeOperation.Upsert, ChangeOperation.Delete], changes.Where(c => c.Key == CosmosSourceContext.KeyOf("a")).Select(c => c.Operation));
        var versions = changes.Select(c => c.SourceVersion).ToList();
        Assert.Equal(versions.Order(), versions);
    }

    [Fact]
    public async Task health_reports_a_lag_per_feed_range_and_in_all_versions_mode_the_retention_left()
    {
        await using var context = await CosmosSourceContext.StartAsync(ranges: 2, mode: CosmosFeedMode.AllVersionsAndDeletes);
        await context.UpsertAsync("a", 1);
        await using var source = context.CreateSource("orders", o => o.AllVersionsRetention = TimeSpan.FromDays(30));
        await CosmosSourceContext.ReadUntilAsync(source, SourcePosition.Start, c => c.Any(x => x.Key == CosmosSourceContext.KeyOf("a")));

        var health = await source.GetHealthAsync(default);

        Assert.Equal(["0", "1"], health.RangeLags.Select(r => r.Range));
        Assert.All(health.RangeLags, r => Assert.InRange(r.LagSeconds, 0, 60));
        Assert.NotNull(health.HistoryHeadroom);
        Assert.InRange(health.HistoryHeadroom!.Value, TimeSpan.FromDays(30) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(30));
    }

    [Fact]
    public async Task all_versions_mode_on_an_account_without_it_fails_with_an_actionable_reason()
    {
        await using var context = await CosmosSourceContext.StartAsync(ranges: 1, allVersionsAndDeletes: false, mode: CosmosFeedMode.AllVersionsAndDeletes);
        await using var source = context.CreateSource("orders", o => o.StartFrom = CosmosStartFrom.Now);

        var error = await Assert.ThrowsAsync<CosmosSourceException>(async () => await CosmosSourceContext.ReadUntilAsync(source, SourcePosition.Start, c => c.Count > 0));

        Assert.Contains("'orders'", error.Message, StringComparison.Ordinal);
        Assert.Contains("AllVersionsAndDeletes enabled", error.Message, StringComparison.Ordinal);
        Assert.Contains("Mode to LatestVersion", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_missing_container_fails_with_the_container_named()
    {
        await using var context = await CosmosSourceContext.StartAsync(ranges: 1);
        await using var source = context.CreateSource("orders", o => o.Container = "nope");

        var error = await Assert.ThrowsAsync<CosmosSourceException>(async () => await source.ReadChangesAsync(SourcePosition.Start, 10, default));

        Assert.Contains("container 'nope' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_requested_backfill_rereads_every_document_and_reports_start_and_end()
    {
        await using var context = await CosmosSourceContext.StartAsync(ranges: 2);
        for (var i = 0; i < 25; i++)
        {
            await context.UpsertAsync($"doc-{i:D3}", i);
        }
        await using var source = context.CreateSource();
        var (_, position, _) = await CosmosSourceContext.ReadUntilAsync(source, SourcePosition.Start, c => c.Count >= 25);

        source.RequestBackfill(null);
        var (changes, _, notices) = await CosmosSourceContext.ReadUntilAsync(source, position, c => false || c.Count(x => x.Origin == ChangeOrigin.Backfill) >= 25);

        Assert.Equal(25, changes.Where(c => c.Origin == ChangeOrigin.Backfill).Select(c => c.Key).Distinct().Count());
        Assert.Contains(notices, n => n.Kind == SourceNoticeKind.BackfillStarted);
    }

    [Fact]
    public async Task scans_are_in_ordinal_key_order_within_bounds_and_point_reads_find_what_exists()
    {
        await using var context = await CosmosSourceContext.StartAsync(ranges: 4);
        var ids = new[] { "b", "a", "a!", "c", "B", "d-1", "d" };
        foreach (var id in ids)
        {
            await context.UpsertAsync(id, 1);
        }
        await using var source = context.CreateSource();

        var all = await ScanKeysAsync(source);
        var bounded = new List<string>();
        await foreach (var d in source.ScanAsync(new KeyRange(CosmosSourceContext.KeyOf("a!"), CosmosSourceContext.KeyOf("d")), default))
        {
            bounded.Add(d.Key);
        }
        var read = await source.ReadKeysAsync([CosmosSourceContext.KeyOf("c"), CosmosSourceContext.KeyOf("zz")], default);

        Assert.Equal(ids.Select(i => CosmosSourceContext.KeyOf(i)).Order(StringComparer.Ordinal), all);
        Assert.Equal(new[] { "a!", "b", "c" }.Select(i => CosmosSourceContext.KeyOf(i)), bounded);
        Assert.Equal([CosmosSourceContext.KeyOf("c")], read.Documents.Select(d => d.Key));
        Assert.True(source.ReconciliationRequestCharge > 0);
    }

    [Fact]
    public async Task the_consistent_cut_is_passed_once_every_range_has_read_past_it()
    {
        await using var context = await CosmosSourceContext.StartAsync(ranges: 2);
        await using var source = context.CreateSource();
        var (_, position, _) = await CosmosSourceContext.ReadUntilAsync(source, SourcePosition.Start, c => true);
        await context.UpsertAsync("a", 1);
        var cut = await source.GetCutAsync(default);

        Assert.False(source.HasPassed(position, cut));
        var (changes, after, _) = await CosmosSourceContext.ReadUntilAsync(source, position, c => c.Count > 0);
        while (!source.HasPassed(after, cut))
        {
            after = (await source.ReadChangesAsync(after, 100, default)).PositionAfter;
        }
        Assert.Single(changes);
    }

    [Fact]
    public async Task a_restore_round_trip_writes_deletes_and_scans_in_key_order_idempotently()
    {
        await using var context = await CosmosSourceContext.StartAsync(ranges: 2);
        await context.Database.CreateContainerAsync(new Microsoft.Azure.Cosmos.ContainerProperties("copy", "/pk"));
        await using var target = new CosmosRestoreTarget(context.Options, "copy", context.Client);
        var docs = new[] { "b", "a", "c" }.Select(id => new RestoreDocument(CosmosSourceContext.KeyOf(id), $"pk-{id}", System.Text.Encoding.UTF8.GetBytes(CosmosSourceContext.Json(id, $"pk-{id}", 3)))).ToList();

        await target.UpsertAsync(docs, default);
        await target.UpsertAsync(docs, default);
        await target.DeleteAsync([CosmosSourceContext.KeyOf("b"), CosmosSourceContext.KeyOf("missing")], default);
        var scanned = new List<RestoreDocument>();
        await foreach (var d in target.ScanAsync(default))
        {
            scanned.Add(d);
        }

        Assert.Equal([CosmosSourceContext.KeyOf("a"), CosmosSourceContext.KeyOf("c")], scanned.Select(d => d.Key));
        Assert.Equal(CosmosSourceContext.Json("a", "pk-a", 3), System.Text.Encoding.UTF8.GetString(scanned[0].Document.Span));
        Assert.Equal("cosmosdb:" + context.Database.Id + "/copy", target.Description);
    }

    [Fact]
    public async Task a_keyed_backfill_rereads_just_those_keys_with_their_feed_versions()
    {
        await using var context = await CosmosSourceContext.StartAsync(ranges: 2);
        for (var i = 0; i < 10; i++)
        {
            await context.UpsertAsync($"doc-{i:D3}", i);
        }
        await using var source = context.CreateSource();
        var (captured, position, _) = await CosmosSourceContext.ReadUntilAsync(source, SourcePosition.Start, c => c.Count >= 10);
        var wanted = new[] { CosmosSourceContext.KeyOf("doc-003"), CosmosSourceContext.KeyOf("doc-007"), CosmosSourceContext.KeyOf("absent") };

        source.RequestBackfill(wanted);
        var (changes, _, notices) = await CosmosSourceContext.ReadUntilAsync(source, position, c => false || c.Count(x => x.Origin == ChangeOrigin.Backfill) >= 2);
        while (!notices.Any(n => n.Kind == SourceNoticeKind.BackfillCompleted))
        {
            var batch = await source.ReadChangesAsync(position, 100, default);
            notices.AddRange(batch.Notices);
            position = batch.PositionAfter;
        }

        var backfilled = changes.Where(c => c.Origin == ChangeOrigin.Backfill).ToList();
        Assert.Equal(wanted.Take(2), backfilled.Select(c => c.Key));
        Assert.All(backfilled, b => Assert.Equal(captured.Single(c => c.Key == b.Key).SourceVersion, b.SourceVersion));
    }

    [Fact]
    public async Task deleting_the_container_during_capture_invalidates_the_source()
    {
        await using var context = await CosmosSourceContext.StartAsync(ranges: 1);
        await context.UpsertAsync("a", 1);
        await using var source = context.CreateSource();
        var (_, position, _) = await CosmosSourceContext.ReadUntilAsync(source, SourcePosition.Start, c => c.Count >= 1);

        await context.Container.DeleteContainerAsync();
        var error = await Assert.ThrowsAsync<SourceInvalidatedException>(async () => await CosmosSourceContext.ReadUntilAsync(source, position, c => false));

        Assert.Contains("no longer exists", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task starting_from_now_skips_what_existed_and_starting_from_a_time_skips_what_was_older()
    {
        await using var context = await CosmosSourceContext.StartAsync(ranges: 2);
        await context.UpsertAsync("old", 1);
        // _ts has second resolution: "since" must fall in a later second than the old write.
        var oldTs = await TimestampAsync(context, "old");
        await Eventually.TrueAsync(() => Task.FromResult(DateTimeOffset.UtcNow.ToUnixTimeSeconds() > oldTs), $"the clock passes the old write's second ({oldTs})");
        var since = DateTimeOffset.UtcNow;
        await using var fromNow = context.CreateSource("from-now", o => o.StartFrom = CosmosStartFrom.Now);
        var (_, nowPosition, _) = await CosmosSourceContext.ReadUntilAsync(fromNow, SourcePosition.Start, c => true);
        await context.UpsertAsync("new", 1);
        await using var fromTime = context.CreateSource("from-time", o =>
        {
            o.StartFrom = CosmosStartFrom.Time;
            o.StartTime = since;
        });

        var (afterNow, _, _) = await CosmosSourceContext.ReadUntilAsync(fromNow, nowPosition, c => c.Count > 0);
        var (afterTime, _, _) = await CosmosSourceContext.ReadUntilAsync(fromTime, SourcePosition.Start, c => c.Count > 0);

        Assert.Equal([CosmosSourceContext.KeyOf("new")], afterNow.Select(c => c.Key));
        Assert.Equal([CosmosSourceContext.KeyOf("new")], afterTime.Select(c => c.Key));
    }

    [Fact]
    public async Task reconciliation_reads_pay_their_request_charge_into_the_budget()
    {
        await using var context = await CosmosSourceContext.StartAsync(ranges: 1);
        await context.UpsertAsync("a", 1);
        await using var source = context.CreateSource("budgeted", o => o.MaxRequestUnitsPerSecond = 1000);

        await source.ReadKeysAsync([CosmosSourceContext.KeyOf("a"), CosmosSourceContext.KeyOf("b")], default);
        var afterReads = source.ReconciliationRequestCharge;
        await foreach (var _ in source.ScanAsync(KeyRange.All, default))
        {
        }

        // The test server charges 1 RU per answer: two point reads, then at least one query page.
        Assert.Equal(2, afterReads);
        Assert.True(source.ReconciliationRequestCharge > afterReads);
    }

    /// <summary>The server's _ts (Unix seconds) of the document <paramref name="id"/> in its default partition.</summary>
    private static async Task<long> TimestampAsync(CosmosSourceContext context, string id)
    {
        using var response = await context.Container.ReadItemStreamAsync(id, new Microsoft.Azure.Cosmos.PartitionKey($"pk-{id}"));
        Assert.True(response.IsSuccessStatusCode, response.ErrorMessage);
        using var document = await System.Text.Json.JsonDocument.ParseAsync(response.Content);
        return document.RootElement.GetProperty("_ts").GetInt64();
    }

    private static async Task<List<string>> ScanKeysAsync(IChangeSource source)
    {
        var keys = new List<string>();
        await foreach (var d in source.ScanAsync(KeyRange.All, default))
        {
            keys.Add(d.Key);
        }
        return keys;
    }
}
