using MongoDB.Bson;
using SnapshotService.Testing;

namespace SnapshotService.Sources.Mongo.Tests;

/// <summary>Failures injected through the wire-protocol test server, seen through the real driver.</summary>
public sealed class MongoSourceFaultTests
{
    private static BsonDocument Doc(string id, int n) => new() { { "_id", id }, { "n", n } };

    private static async Task<(MongoEndpoint Endpoint, MongoChangeSource Source, CaptureHarness Capture)> CapturingAsync(Action<MongoSourceOptions>? configure = null)
    {
        var endpoint = await MongoEndpoint.StartTestServerAsync();
        await endpoint.CreateCollectionAsync("orders");
        var source = new MongoChangeSource("orders", endpoint.Options("orders", configure));
        var capture = new CaptureHarness(source);
        await capture.ReadUntilAsync(() => capture.Notices.Any(n => n.Kind == SourceNoticeKind.BackfillCompleted));
        return (endpoint, source, capture);
    }

    [Fact]
    public async Task a_write_between_opening_the_stream_and_the_first_chunk_read_comes_once()
    {
        await using var endpoint = await MongoEndpoint.StartTestServerAsync();
        await endpoint.CreateCollectionAsync("orders");
        // The stream opens on an empty collection (its first batch is empty); the write lands after
        // that and before the chunk read, so the read sees the document at the write's own time and
        // the stream carries the write too. Only one of them may reach the export.
        endpoint.Server!.Faults.RunBeforeNext("find", () => endpoint.Server.Data.Insert(endpoint.Database, "orders", Doc("a", 1)));
        await using var source = new MongoChangeSource("orders", endpoint.Options("orders"));
        var capture = new CaptureHarness(source);
        await capture.ReadUntilAsync(() => capture.Notices.Any(n => n.Kind == SourceNoticeKind.BackfillCompleted), what: "the first backfill");
        await capture.ReadUntilAsync(() => capture.Changes.Any(c => c.Key == "a" && c.Origin == ChangeOrigin.Capture), what: "the stream's insert of 'a'");

        var changes = capture.Changes.Where(c => c.Key == "a").Select(c => $"{c.Origin} {c.Operation} at {c.SourceVersion}").ToList();
        Assert.True(changes.Count == 1, $"'a' reached the export {changes.Count} times: {string.Join(", ", changes)}");
    }

    [Fact]
    public async Task history_lost_is_reported_and_the_collection_is_re_backfilled()
    {
        var (endpoint, source, capture) = await CapturingAsync();
        await using var _ = endpoint;
        await using var __ = source;
        var orders = endpoint.Collection("orders");
        await orders.InsertManyAsync(Enumerable.Range(0, 10).Select(i => Doc($"k{i}", i)));
        await capture.ReadUntilAsync(() => capture.Export.Count == 10);

        endpoint.Server!.Faults.FailGetMoreWithHistoryLost();
        // Changes while "history is lost": the re-backfill must bring them.
        await orders.DeleteOneAsync(new BsonDocument("_id", "k0"));
        await orders.InsertOneAsync(Doc("k10", 10));
        await capture.ReadUntilAsync(() => capture.Notices.Any(n => n.Kind == SourceNoticeKind.BackfillCompleted && n.AfterHistoryLoss), what: "the re-backfill after history loss");

        var lost = Assert.Single(capture.Notices, n => n.Kind == SourceNoticeKind.HistoryLost);
        Assert.Contains("oplog no longer holds", lost.Message, StringComparison.Ordinal);
        Assert.Contains(capture.Notices, n => n.Kind == SourceNoticeKind.BackfillStarted && n.AfterHistoryLoss);
        // Every document is back; the delete that fell into the lost history is not (no backfill can
        // see an absence): that is what the full reconciliation after BackfillCompleted(AfterHistoryLoss) repairs.
        var expected = CaptureHarness.Json(await MongoEndpoint.AllAsync(orders));
        var export = capture.ExportJson();
        Assert.All(expected, kv => Assert.Equal(kv.Value, export[kv.Key]));
        Assert.Equal(["k0"], export.Keys.Except(expected.Keys));
        Assert.Contains("reconciliation", capture.Notices.Last(n => n.Kind == SourceNoticeKind.BackfillCompleted).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task history_lost_when_resuming_a_stale_position_is_reported_too()
    {
        var (endpoint, source, capture) = await CapturingAsync();
        await using var _ = endpoint;
        var orders = endpoint.Collection("orders");
        await orders.InsertOneAsync(Doc("a", 1));
        await capture.ReadUntilAsync(() => capture.Export.Count == 1);
        await source.DisposeAsync();
        var stored = capture.Position;

        await orders.InsertManyAsync(Enumerable.Range(0, 5).Select(i => Doc($"b{i}", i)));
        endpoint.Server!.Faults.KeepLastOplogEntries(1);

        await using var resumed = new MongoChangeSource("orders", endpoint.Options("orders"));
        var again = new CaptureHarness(resumed) { Position = stored };
        await again.ReadUntilAsync(() => again.Notices.Any(n => n.Kind == SourceNoticeKind.BackfillCompleted && n.AfterHistoryLoss));
        Assert.Contains(again.Notices, n => n.Kind == SourceNoticeKind.HistoryLost);
        Assert.Equal(6, again.Export.Count);
    }

    [Theory]
    [InlineData("drop", "was dropped")]
    [InlineData("rename", "was renamed to")]
    public async Task drop_or_rename_invalidates_the_source_with_the_reason(string what, string expected)
    {
        var (endpoint, source, capture) = await CapturingAsync();
        await using var _ = endpoint;
        await using var __ = source;
        await endpoint.Collection("orders").InsertOneAsync(Doc("a", 1));
        await capture.ReadUntilAsync(() => capture.Export.Count == 1);
        if (what == "drop")
        {
            endpoint.Server!.Faults.Drop(endpoint.Database, "orders");
        }
        else
        {
            endpoint.Server!.Faults.Rename(endpoint.Database, "orders", "orders_old");
        }
        var ex = await Assert.ThrowsAsync<SourceInvalidatedException>(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                await capture.ReadOnceAsync();
            }
        });
        Assert.Contains($"{endpoint.Database}.orders {expected}", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"change event '{what}'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(capture.Position, ex.PositionBeforeInvalidation);
        // It stays invalidated: the next read says the same instead of skipping past the event.
        await Assert.ThrowsAsync<SourceInvalidatedException>(async () => await capture.ReadOnceAsync());
    }

    [Fact]
    public async Task not_writable_primary_and_dropped_connections_mid_stream_are_retried()
    {
        var (endpoint, source, capture) = await CapturingAsync();
        await using var _ = endpoint;
        await using var __ = source;
        var orders = endpoint.Collection("orders");
        endpoint.Server!.Faults.FailWithNotWritablePrimary("getMore", times: 3);
        await orders.InsertOneAsync(Doc("a", 1));
        await capture.ReadUntilAsync(() => capture.Export.ContainsKey("a"), what: "capture through NotWritablePrimary");

        endpoint.Server.Faults.CloseConnectionOnNext("getMore", times: 2);
        await orders.InsertOneAsync(Doc("b", 2));
        await capture.ReadUntilAsync(() => capture.Export.ContainsKey("b"), what: "capture through dropped connections");

        endpoint.Server.Faults.FailWithNotWritablePrimary("aggregate", times: 2);
        endpoint.Server.Faults.CloseConnectionOnNext("getMore");
        await orders.InsertOneAsync(Doc("c", 3));
        await capture.ReadUntilAsync(() => capture.Export.ContainsKey("c"), what: "capture through a failing reopen");
        Assert.Equal(["a", "b", "c"], capture.Changes.Select(c => c.Key));
    }

    [Fact]
    public async Task a_read_that_fails_after_handing_out_nothing_loses_nothing_when_retried()
    {
        await using var endpoint = await MongoEndpoint.StartTestServerAsync();
        await endpoint.Collection("orders").InsertManyAsync(Enumerable.Range(0, 10).Select(i => Doc($"k{i:D2}", i)));
        await using var source = new MongoChangeSource("orders", endpoint.Options("orders", o => o.MaxRetries = 0));
        var capture = new CaptureHarness(source);
        await capture.ReadOnceAsync(maxChanges: 2);
        Assert.Equal(["k00", "k01"], capture.Changes.Select(c => c.Key));

        // The rest of chunk 1 goes out, then reading chunk 2 fails: that read returns nothing.
        endpoint.Server!.Faults.FailCommand("find", 1000, 91, "ShutdownInProgress", "shutting down");
        await Assert.ThrowsAsync<MongoSourceException>(async () => await capture.ReadOnceAsync(maxChanges: 10));
        endpoint.Server.Faults.Clear();

        await capture.ReadUntilAsync(() => capture.Notices.Any(n => n.Kind == SourceNoticeKind.BackfillCompleted));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"k{i:D2}"), capture.Changes.Select(c => c.Key));
    }

    [Fact]
    public async Task transient_errors_that_do_not_end_fail_the_source_after_bounded_retries()
    {
        await using var endpoint = await MongoEndpoint.StartTestServerAsync();
        await endpoint.CreateCollectionAsync("orders");
        endpoint.Server!.Faults.FailCommand("aggregate", 1000, 91, "ShutdownInProgress", "shutting down");
        await using var source = new MongoChangeSource("orders", endpoint.Options("orders", o => o.MaxRetries = 3));
        var ex = await Assert.ThrowsAsync<MongoSourceException>(async () => await source.ReadChangesAsync(SourcePosition.Start, 10, CancellationToken.None));
        Assert.Contains("still failing after 4 attempts", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_authentication_failure_is_a_clear_error_and_is_not_retried_forever()
    {
        await using var endpoint = await MongoEndpoint.StartTestServerAsync();
        await endpoint.CreateCollectionAsync("orders");
        endpoint.Server!.Faults.RejectAuthentication = true;
        var options = endpoint.Options("orders", o =>
        {
            o.ConnectionString = $"mongodb://reader:wrong@127.0.0.1:{endpoint.Server.Port}/?replicaSet=rs0&authSource=admin";
            o.MaxRetries = 50;
            o.RetryBaseDelay = TimeSpan.FromSeconds(1);
            o.RetryMaxDelay = TimeSpan.FromSeconds(10);
        });
        await using var source = new MongoChangeSource("orders", options);
        var ex = await Assert.ThrowsAsync<MongoSourceException>(async () => await source.ReadChangesAsync(SourcePosition.Start, 10, CancellationToken.None));
        Assert.Contains("authentication failed", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SnapshotService:Sources:orders:Mongo:ConnectionString", ex.Message, StringComparison.Ordinal);
        // Counted on the server, not timed: the 50 retries allowed were not used (the driver's own
        // connection attempts for one read account for the few there are).
        Assert.InRange(endpoint.Server.Faults.AuthenticationsRejected, 1, 3);
    }

    [Fact]
    public async Task a_server_without_change_streams_is_a_clear_error()
    {
        await using var endpoint = await MongoEndpoint.StartTestServerAsync();
        await endpoint.CreateCollectionAsync("orders");
        endpoint.Server!.Faults.ChangeStreamsDisabled = true;
        await using var source = new MongoChangeSource("orders", endpoint.Options("orders"));
        var ex = await Assert.ThrowsAsync<MongoSourceException>(async () => await source.ReadChangesAsync(SourcePosition.Start, 10, CancellationToken.None));
        Assert.Contains("replica set", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--replSet", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_missing_collection_is_a_clear_error()
    {
        await using var endpoint = await MongoEndpoint.StartTestServerAsync();
        await using var source = new MongoChangeSource("orders", endpoint.Options("nothere"));
        var ex = await Assert.ThrowsAsync<MongoSourceException>(async () => await source.ReadChangesAsync(SourcePosition.Start, 10, CancellationToken.None));
        Assert.Contains($"collection {endpoint.Database}.nothere does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_unreachable_server_fails_the_source_with_the_reason()
    {
        var options = new MongoSourceOptions
        {
            ConnectionString = $"mongodb://127.0.0.1:{FreePort.Next()}/?replicaSet=rs0",
            Database = "shop",
            Collection = "orders",
            ServerSelectionTimeout = TimeSpan.FromMilliseconds(300),
            MaxRetries = 1,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        };
        await using var source = new MongoChangeSource("orders", options);
        var ex = await Assert.ThrowsAsync<MongoSourceException>(async () => await source.ReadChangesAsync(SourcePosition.Start, 10, CancellationToken.None));
        Assert.Contains("no usable server", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task health_reports_the_oplog_headroom_of_the_saved_position()
    {
        var (endpoint, source, capture) = await CapturingAsync();
        await using var _ = endpoint;
        await using var __ = source;
        await endpoint.Collection("orders").InsertOneAsync(Doc("a", 1));
        await capture.ReadUntilAsync(() => capture.Export.Count == 1);
        var health = await source.GetHealthAsync(CancellationToken.None);
        Assert.Null(health.Backfill);
        Assert.NotNull(health.HistoryHeadroom);
        var oldest = endpoint.Server!.Data.OplogFirstTimestamp!;
        var saved = MongoPosition.Parse(capture.Position).StreamTime!.Value;
        Assert.Equal(TimeSpan.FromSeconds((saved >>> 32) - oldest.Timestamp), health.HistoryHeadroom);
    }
}
