using MongoDB.Bson;
using MongoDB.Driver;
using Xunit.Abstractions;

namespace SnapshotService.Sources.Mongo.Tests;

/// <summary>
/// Capture, resume, backfill, scans and restore through the real MongoDB.Driver. Runs against the
/// wire-protocol test server (<see cref="MongoSourceOnTestServer"/>) and against a real replica set
/// when MONGODB_URI is set (<see cref="MongoSourceOnRealServer"/>, reported skipped with the reason otherwise).
/// </summary>
public abstract class MongoSourceScenarios(ITestOutputHelper output)
{
    protected ITestOutputHelper Output { get; } = output;

    /// <summary>The endpoint to run on; a run that has none is reported skipped with the reason (it throws a skip).</summary>
    protected abstract Task<MongoEndpoint> OpenAsync();

    private static BsonDocument Doc(BsonValue id, int n) => new() { { "_id", id }, { "n", n }, { "name", $"item {n}" } };

    [SkippableFact]
    public async Task capture_sees_inserts_updates_and_deletes_with_cluster_time_versions()
    {
        await using var endpoint = await OpenAsync();
        await endpoint.CreateCollectionAsync("orders");
        await using var source = new MongoChangeSource("orders", endpoint.Options("orders"));
        var capture = new CaptureHarness(source);
        await capture.ReadUntilAsync(() => capture.Notices.Any(n => n.Kind == SourceNoticeKind.BackfillCompleted), what: "the initial backfill of an empty collection");

        var orders = endpoint.Collection("orders");
        await orders.InsertOneAsync(Doc("a", 1));
        await orders.InsertOneAsync(Doc("b", 2));
        await orders.UpdateOneAsync(new BsonDocument("_id", "a"), new BsonDocument("$set", new BsonDocument("n", 10)));
        await orders.DeleteOneAsync(new BsonDocument("_id", "b"));
        await capture.ReadUntilAsync(() => capture.Changes.Any(c => c.Operation == ChangeOperation.Delete), what: "the delete");

        Assert.Equal(CaptureHarness.Json(await MongoEndpoint.AllAsync(orders)), capture.ExportJson());
        var captured = capture.Changes.Where(c => c.Origin == ChangeOrigin.Capture).ToList();
        Assert.Equal(["a", "b", "a", "b"], captured.Select(c => c.Key));
        Assert.Equal([ChangeOperation.Upsert, ChangeOperation.Upsert, ChangeOperation.Upsert, ChangeOperation.Delete], captured.Select(c => c.Operation));
        Assert.True(captured.Zip(captured.Skip(1)).All(p => p.First.SourceVersion < p.Second.SourceVersion), "clusterTime versions grow");
        Assert.Equal(10, capture.Export["a"].Document["n"].AsInt32);
    }

    [SkippableFact]
    public async Task an_update_whose_document_is_gone_by_lookup_is_skipped_and_the_delete_follows()
    {
        await using var endpoint = await OpenAsync();
        await endpoint.CreateCollectionAsync("orders");
        await using var source = new MongoChangeSource("orders", endpoint.Options("orders"));
        var capture = new CaptureHarness(source);
        await capture.ReadUntilAsync(() => capture.Notices.Any(n => n.Kind == SourceNoticeKind.BackfillCompleted));
        var orders = endpoint.Collection("orders");
        await orders.InsertOneAsync(Doc("a", 1));
        await capture.ReadUntilAsync(() => capture.Export.ContainsKey("a"));

        // Both happen before the stream reads the update, so its updateLookup finds nothing.
        await orders.UpdateOneAsync(new BsonDocument("_id", "a"), new BsonDocument("$set", new BsonDocument("n", 2)));
        await orders.DeleteOneAsync(new BsonDocument("_id", "a"));
        await capture.ReadUntilAsync(() => !capture.Export.ContainsKey("a"), what: "the delete");
        Assert.Equal([ChangeOperation.Upsert, ChangeOperation.Delete], capture.Changes.Select(c => c.Operation));
    }

    [SkippableFact]
    public async Task a_filter_limits_backfill_and_capture_to_matching_documents_but_lets_deletes_through()
    {
        await using var endpoint = await OpenAsync();
        var orders = endpoint.Collection("orders");
        await orders.InsertManyAsync([new BsonDocument { { "_id", "a1" }, { "tenant", "a" } }, new BsonDocument { { "_id", "b1" }, { "tenant", "b" } }]);
        await using var source = new MongoChangeSource("orders", endpoint.Options("orders", o => o.Filter = "{\"tenant\": \"a\"}"));
        var capture = new CaptureHarness(source);
        await capture.ReadUntilAsync(() => capture.Notices.Any(n => n.Kind == SourceNoticeKind.BackfillCompleted));
        Assert.Equal(["a1"], capture.Export.Keys);

        await orders.InsertManyAsync([new BsonDocument { { "_id", "b2" }, { "tenant", "b" } }, new BsonDocument { { "_id", "a2" }, { "tenant", "a" } }]);
        await orders.DeleteOneAsync(new BsonDocument("_id", "a1"));
        await capture.ReadUntilAsync(() => !capture.Export.ContainsKey("a1"), what: "the delete of a1");
        Assert.Equal(["a2"], capture.Export.Keys);
        Assert.DoesNotContain(capture.Changes, c => c.Key.StartsWith('b'));
        Assert.Equal(["a2"], (await source.ScanAsync(KeyRange.All, CancellationToken.None).ToListAsync()).Select(d => d.Key));
        Assert.Equal(["a2"], (await source.ReadKeysAsync(["a2", "b2"], CancellationToken.None)).Documents.Select(d => d.Key));
    }

    [SkippableFact]
    public async Task a_reader_resumes_from_a_stored_position_without_loss_or_duplicates()
    {
        await using var endpoint = await OpenAsync();
        await endpoint.CreateCollectionAsync("orders");
        var orders = endpoint.Collection("orders");
        var options = endpoint.Options("orders");
        var capture = new CaptureHarness(null!);
        await using (var first = new MongoChangeSource("orders", options))
        {
            capture = new CaptureHarness(first);
            await capture.ReadUntilAsync(() => capture.Notices.Any(n => n.Kind == SourceNoticeKind.BackfillCompleted));
            for (var i = 0; i < 5; i++)
            {
                await orders.InsertOneAsync(Doc($"k{i}", i));
            }
            await capture.ReadUntilAsync(() => capture.Export.Count == 5, what: "five inserts");
        }
        var stored = capture.Position;
        for (var i = 5; i < 10; i++)
        {
            await orders.InsertOneAsync(Doc($"k{i}", i));
        }
        await using var second = new MongoChangeSource("orders", options);
        var resumed = new CaptureHarness(second) { Position = stored };
        await resumed.ReadUntilAsync(() => resumed.Export.Count == 5, what: "the five inserts after the stored position");
        await resumed.ReadOnceAsync();
        Assert.Equal(Enumerable.Range(5, 5).Select(i => $"k{i}"), resumed.Changes.Select(c => c.Key));
        Assert.Empty(resumed.Notices);
    }

    [SkippableFact]
    public async Task an_idle_source_still_advances_its_position()
    {
        await using var endpoint = await OpenAsync();
        await endpoint.CreateCollectionAsync("orders");
        await using var source = new MongoChangeSource("orders", endpoint.Options("orders"));
        var capture = new CaptureHarness(source);
        await capture.ReadUntilAsync(() => capture.Notices.Any(n => n.Kind == SourceNoticeKind.BackfillCompleted));
        var before = MongoPosition.Parse(capture.Position);

        // Writes elsewhere move the oplog; this collection sees nothing, yet its resume point moves.
        await endpoint.Collection("other").InsertOneAsync(new BsonDocument("_id", 1));
        await capture.ReadUntilAsync(() => MongoPosition.Parse(capture.Position).StreamTime > before.StreamTime, what: "the idle position to advance");
        Assert.Empty(capture.Changes);
        Assert.NotEqual(before.ResumeToken, MongoPosition.Parse(capture.Position).ResumeToken);
    }

    [SkippableFact]
    public async Task first_start_backfills_existing_documents_while_writes_continue()
    {
        await using var endpoint = await OpenAsync();
        var orders = endpoint.Collection("orders");
        for (var i = 0; i < 30; i++)
        {
            await orders.InsertOneAsync(Doc($"k{i:D2}", i));
        }
        await using var source = new MongoChangeSource("orders", endpoint.Options("orders"));
        var capture = new CaptureHarness(source);
        var random = new Random(7);
        var round = 0;
        while (!capture.Notices.Any(n => n.Kind == SourceNoticeKind.BackfillCompleted))
        {
            Assert.True(round++ < 500, "the backfill did not finish");
            // Concurrent writes between reads: updates, deletes and inserts across the key range.
            var key = $"k{random.Next(40):D2}";
            switch (random.Next(3))
            {
                case 0:
                    await orders.ReplaceOneAsync(new BsonDocument("_id", key), Doc(key, 1000 + round), new ReplaceOptions { IsUpsert = true });
                    break;
                case 1:
                    await orders.DeleteOneAsync(new BsonDocument("_id", key));
                    break;
                default:
                    await orders.UpdateOneAsync(new BsonDocument("_id", key), new BsonDocument("$inc", new BsonDocument("n", 1)));
                    break;
            }
            await capture.ReadOnceAsync(maxChanges: 4);
        }
        // Let the stream catch up with the last writes.
        var expected = CaptureHarness.Json(await MongoEndpoint.AllAsync(orders));
        await capture.ReadUntilAsync(() => capture.ExportJson().SequenceEqual(expected), what: "the export to equal the collection");
        Assert.Contains(capture.Changes, c => c.Origin == ChangeOrigin.Backfill);
        Assert.Single(capture.Notices, n => n.Kind == SourceNoticeKind.BackfillStarted);
        Assert.False(capture.Notices.Single(n => n.Kind == SourceNoticeKind.BackfillCompleted).AfterHistoryLoss);
    }

    [SkippableFact]
    public async Task a_backfill_resumes_after_a_restart_mid_backfill()
    {
        await using var endpoint = await OpenAsync();
        var orders = endpoint.Collection("orders");
        await orders.InsertManyAsync(Enumerable.Range(0, 20).Select(i => Doc($"k{i:D2}", i)));
        var options = endpoint.Options("orders");
        SourcePosition stored;
        var firstKeys = new List<string>();
        await using (var first = new MongoChangeSource("orders", options))
        {
            var capture = new CaptureHarness(first);
            await capture.ReadUntilAsync(() => capture.Changes.Count >= 7, what: "part of the backfill", maxChanges: 2);
            stored = capture.Position;
            firstKeys.AddRange(capture.Changes.Select(c => c.Key));
            Assert.NotNull(MongoPosition.Parse(stored).Backfill);
        }
        await using var second = new MongoChangeSource("orders", options);
        var resumed = new CaptureHarness(second) { Position = stored };
        await resumed.ReadUntilAsync(() => resumed.Notices.Any(n => n.Kind == SourceNoticeKind.BackfillCompleted));
        var all = firstKeys.Concat(resumed.Changes.Select(c => c.Key)).ToList();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"k{i:D2}"), all);
    }

    [SkippableFact]
    public async Task scans_return_every_key_family_in_ordinal_key_order_and_point_reads_report_absence()
    {
        await using var endpoint = await OpenAsync();
        var orders = endpoint.Collection("orders");
        BsonValue[] ids =
        [
            ObjectId.Parse("65a1b2c3d4e5f60718293a4b"), ObjectId.Parse("0000000000000000000000ff"), "apple", "Zebra", "~tilde",
            "65a1b2c3d4e5f60718293a4c", 42, 7L, new BsonBinaryData(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), GuidRepresentation.Standard),
        ];
        await orders.InsertManyAsync(ids.Select((id, i) => Doc(id, i)));
        await using var source = new MongoChangeSource("orders", endpoint.Options("orders"));

        var all = await source.ScanAsync(KeyRange.All, CancellationToken.None).ToListAsync();
        var expectedKeys = ids.Select(MongoKeys.Encode).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expectedKeys, all.Select(d => d.Key));
        Assert.All(all, d => Assert.True(d.SourceVersion > 0));

        // Any split into ranges yields the same keys, each once, in order.
        var split = new List<string>();
        string?[] bounds = [null, "5", "65a1b2c3d4e5f60718293a4b", "a", "~", "~{\"$numberInt\"", null];
        for (var i = 0; i + 1 < bounds.Length; i++)
        {
            split.AddRange((await source.ScanAsync(new KeyRange(bounds[i], bounds[i + 1]), CancellationToken.None).ToListAsync()).Select(d => d.Key));
        }
        Assert.Equal(expectedKeys, split);

        var read = await source.ReadKeysAsync(["apple", "missing", MongoKeys.Encode(42)], CancellationToken.None);
        Assert.Equal(["apple", MongoKeys.Encode(42)], read.Documents.Select(d => d.Key).Order(StringComparer.Ordinal));
        Assert.True(read.ReadVersion > 0);
    }

    [SkippableFact]
    public async Task a_keyed_backfill_brings_the_named_keys_and_deletes_absent_ones()
    {
        await using var endpoint = await OpenAsync();
        await endpoint.CreateCollectionAsync("orders");
        await using var source = new MongoChangeSource("orders", endpoint.Options("orders"));
        var capture = new CaptureHarness(source);
        await capture.ReadUntilAsync(() => capture.Notices.Any(n => n.Kind == SourceNoticeKind.BackfillCompleted));
        await endpoint.Collection("orders").InsertOneAsync(Doc("present", 1));
        await capture.ReadUntilAsync(() => capture.Export.ContainsKey("present"));

        source.RequestBackfill(["present", "gone"]);
        await capture.ReadUntilAsync(() => capture.Notices.Count(n => n.Kind == SourceNoticeKind.BackfillCompleted) == 2, what: "the keyed backfill");
        var rows = capture.Changes.Where(c => c.Origin == ChangeOrigin.Backfill).ToList();
        Assert.Equal([("gone", ChangeOperation.Delete), ("present", ChangeOperation.Upsert)], rows.Select(c => (c.Key, c.Operation)));
    }

    [SkippableFact]
    public async Task the_restore_target_round_trips_every_type_and_is_idempotent()
    {
        await using var endpoint = await OpenAsync();
        var orders = endpoint.Collection("orders");
        await orders.InsertManyAsync(
        [
            new BsonDocument { { "_id", ObjectId.Parse("65a1b2c3d4e5f60718293a4b") }, { "i", 1 }, { "l", 2L }, { "d", 1.5 }, { "m", new BsonDecimal128(Decimal128.Parse("9.90")) }, { "t", new BsonDateTime(1_700_000_000_000) }, { "b", new BsonBinaryData([1, 2]) } },
            new BsonDocument { { "_id", "plain" }, { "nested", new BsonDocument("z", new BsonArray { 1, "x" }) } },
            new BsonDocument { { "_id", 42 }, { "v", true } },
        ]);
        await using var source = new MongoChangeSource("orders", endpoint.Options("orders"));
        var documents = await source.ScanAsync(KeyRange.All, CancellationToken.None).ToListAsync();

        var target = new MongoRestoreTarget(endpoint.ConnectionString, endpoint.Database, "orders_copy");
        var restore = documents.Select(d => new Restore.RestoreDocument(d.Key, null, d.Document)).ToList();
        await target.UpsertAsync(restore, CancellationToken.None);
        await target.UpsertAsync(restore, CancellationToken.None);
        await target.DeleteAsync(["not-there"], CancellationToken.None);

        var copy = await MongoEndpoint.AllAsync(endpoint.Collection("orders_copy"));
        var original = await MongoEndpoint.AllAsync(orders);
        Assert.Equal(original.OrderBy(d => MongoKeys.Encode(d["_id"]), StringComparer.Ordinal).Select(d => d.ToBson()), copy.OrderBy(d => MongoKeys.Encode(d["_id"]), StringComparer.Ordinal).Select(d => d.ToBson()));

        var scanned = await target.ScanAsync(CancellationToken.None).ToListAsync();
        Assert.Equal(documents.Select(d => d.Key), scanned.Select(d => d.Key));
        await target.DeleteAsync(["plain"], CancellationToken.None);
        Assert.Equal(2, (await target.ScanAsync(CancellationToken.None).ToListAsync()).Count);
    }
}

/// <summary>The scenarios against the in-process wire-protocol test server.</summary>
public sealed class MongoSourceOnTestServer(ITestOutputHelper output) : MongoSourceScenarios(output)
{
    protected override async Task<MongoEndpoint> OpenAsync() => await MongoEndpoint.StartTestServerAsync();
}

/// <summary>The scenarios against a real replica set (MONGODB_URI); reported skipped with the reason when it is not set.</summary>
public sealed class MongoSourceOnRealServer(ITestOutputHelper output) : MongoSourceScenarios(output)
{
    protected override Task<MongoEndpoint> OpenAsync()
    {
        var endpoint = MongoEndpoint.RealServer(out var reason);
        // Reported as skipped with the reason (never a silent pass).
        Skip.If(endpoint is null, reason);
        return Task.FromResult(endpoint!);
    }
}
