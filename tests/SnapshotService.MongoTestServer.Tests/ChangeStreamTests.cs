using MongoDB.Bson;
using MongoDB.Driver;

namespace SnapshotService.Testing.Mongo.Tests;

public sealed class ChangeStreamTests
{
    private static readonly ChangeStreamOptions LookupOptions = new()
    {
        FullDocument = ChangeStreamFullDocumentOption.UpdateLookup,
        BatchSize = 100,
        MaxAwaitTime = TimeSpan.FromMilliseconds(100),
    };

    [Fact]
    public async Task watch_sees_insert_update_replace_and_delete_in_order()
    {
        await using var session = await DriverSession.StartAsync();
        using var cursor = await session.Orders.WatchAsync(LookupOptions);

        await session.Orders.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "n", 1 } });
        await session.Orders.UpdateOneAsync(new BsonDocument("_id", 1), new BsonDocument { { "$set", new BsonDocument("n", 2) }, { "$unset", new BsonDocument("gone", "") } });
        await session.Orders.ReplaceOneAsync(new BsonDocument("_id", 1), new BsonDocument("n", 3));
        await session.Orders.DeleteOneAsync(new BsonDocument("_id", 1));
        var events = await DriverSession.NextEventsAsync(cursor, 4);

        Assert.Equal(
            [ChangeStreamOperationType.Insert, ChangeStreamOperationType.Update, ChangeStreamOperationType.Replace, ChangeStreamOperationType.Delete],
            events.Select(e => e.OperationType));
        Assert.All(events, e => Assert.Equal(new BsonDocument("_id", 1), e.DocumentKey));
        Assert.All(events, e => Assert.Equal("orders", e.CollectionNamespace.CollectionName));
        Assert.Equal(new BsonDocument("n", 2), events[1].UpdateDescription.UpdatedFields);
        Assert.Equal(new BsonDocument { { "_id", 1 }, { "n", 3 } }, events[2].FullDocument);
        var times = events.Select(e => e.ClusterTime).ToList();
        Assert.Equal(times.OrderBy(t => t.Value), times);
        Assert.Equal(times.Count, times.Distinct().Count());
        var tokens = events.Select(e => e.ResumeToken["_data"].AsString).ToList();
        Assert.Equal(tokens.Order(StringComparer.Ordinal), tokens);
    }

    [Fact]
    public async Task update_lookup_returns_the_current_document_and_null_once_it_is_deleted()
    {
        await using var session = await DriverSession.StartAsync();
        var start = session.Server.Data.Insert("shop", "orders", new BsonDocument { { "_id", 1 }, { "n", 1 } });
        session.Server.Data.Update("shop", "orders", 1, new BsonDocument("$set", new BsonDocument("n", 2)));
        session.Server.Data.Update("shop", "orders", 1, new BsonDocument("$set", new BsonDocument("n", 3)));
        session.Server.Data.Insert("shop", "orders", new BsonDocument { { "_id", 2 }, { "n", 1 } });
        session.Server.Data.Update("shop", "orders", 2, new BsonDocument("$inc", new BsonDocument("n", 1)));
        session.Server.Data.Delete("shop", "orders", 2);

        var options = new ChangeStreamOptions { FullDocument = ChangeStreamFullDocumentOption.UpdateLookup, StartAtOperationTime = start };
        using var cursor = await session.Orders.WatchAsync(options);
        var events = await DriverSession.NextEventsAsync(cursor, 6);

        Assert.Equal(new BsonDocument { { "_id", 1 }, { "n", 3 } }, events[1].FullDocument);
        Assert.Equal(new BsonDocument { { "_id", 1 }, { "n", 3 } }, events[2].FullDocument);
        Assert.Null(events[4].FullDocument);
        Assert.Equal(ChangeStreamOperationType.Delete, events[5].OperationType);
    }

    [Fact]
    public async Task resume_after_a_token_continues_with_the_next_event()
    {
        await using var session = await DriverSession.StartAsync();
        BsonDocument token;
        using (var cursor = await session.Orders.WatchAsync(LookupOptions))
        {
            await session.Orders.InsertManyAsync(Enumerable.Range(1, 3).Select(i => new BsonDocument("_id", i)));
            var first = await DriverSession.NextEventsAsync(cursor, 2);
            token = first[1].ResumeToken;
        }
        await session.Orders.InsertOneAsync(new BsonDocument("_id", 4));

        using var resumed = await session.Orders.WatchAsync(new ChangeStreamOptions { ResumeAfter = token, MaxAwaitTime = TimeSpan.FromMilliseconds(100) });
        var events = await DriverSession.NextEventsAsync(resumed, 2);

        Assert.Equal([3, 4], events.Select(e => e.DocumentKey["_id"].AsInt32));
    }

    [Fact]
    public async Task start_at_operation_time_includes_the_event_at_that_time()
    {
        await using var session = await DriverSession.StartAsync();
        session.Server.Data.Insert("shop", "orders", new BsonDocument("_id", 1));
        var second = session.Server.Data.Insert("shop", "orders", new BsonDocument("_id", 2));

        using var cursor = await session.Orders.WatchAsync(new ChangeStreamOptions { StartAtOperationTime = second });
        var events = await DriverSession.NextEventsAsync(cursor, 1);

        Assert.Equal(2, events[0].DocumentKey["_id"].AsInt32);
        Assert.Equal(second, events[0].ClusterTime);
    }

    [Fact]
    public async Task idle_stream_keeps_advancing_its_post_batch_resume_token()
    {
        await using var session = await DriverSession.StartAsync();
        using var cursor = await session.Orders.WatchAsync(LookupOptions);
        await cursor.MoveNextAsync(DriverSession.Guard); // the (empty) first batch
        var first = cursor.GetResumeToken();

        await cursor.MoveNextAsync(DriverSession.Guard); // an idle getMore
        var second = cursor.GetResumeToken();
        session.Server.Data.Insert("shop", "other", new BsonDocument("_id", 1));
        await cursor.MoveNextAsync(DriverSession.Guard);
        var third = cursor.GetResumeToken();

        Assert.NotNull(first);
        Assert.True(string.CompareOrdinal(first["_data"].AsString, second["_data"].AsString) < 0, $"{first} then {second}");
        Assert.True(string.CompareOrdinal(second["_data"].AsString, third["_data"].AsString) < 0, $"{second} then {third}");
        Assert.Empty(cursor.Current);
    }

    [Fact]
    public async Task writes_from_elsewhere_and_retryable_write_sessions_show_in_events()
    {
        await using var session = await DriverSession.StartAsync();
        using var cursor = await session.Orders.WatchAsync(LookupOptions);

        session.Server.Data.Insert("shop", "orders", new BsonDocument("_id", "server"));
        await session.Orders.InsertOneAsync(new BsonDocument("_id", "client"));
        var events = await DriverSession.NextEventsAsync(cursor, 2);

        Assert.False(events[0].BackingDocument.Contains("txnNumber"));
        Assert.True(events[1].BackingDocument.Contains("txnNumber"));
        Assert.True(events[1].BackingDocument.Contains("lsid"));
        Assert.NotNull(events[0].WallTime);
    }

    [Fact]
    public async Task drop_and_rename_end_the_stream_with_invalidate()
    {
        await using var session = await DriverSession.StartAsync();
        session.Server.Data.Insert("shop", "orders", new BsonDocument("_id", 1));
        session.Server.Data.Insert("shop", "items", new BsonDocument("_id", 1));
        using var orders = await session.Orders.WatchAsync(LookupOptions);
        using var items = await session.Database.GetCollection<BsonDocument>("items").WatchAsync(LookupOptions);

        session.Server.Data.Drop("shop", "orders");
        session.Server.Data.Rename("shop", "items", "things");
        var dropEvents = await DriverSession.NextEventsAsync(orders, 2);
        var renameEvents = await DriverSession.NextEventsAsync(items, 2);

        Assert.Equal([ChangeStreamOperationType.Drop, ChangeStreamOperationType.Invalidate], dropEvents.Select(e => e.OperationType));
        Assert.Equal([ChangeStreamOperationType.Rename, ChangeStreamOperationType.Invalidate], renameEvents.Select(e => e.OperationType));
        Assert.Equal("things", renameEvents[0].RenameTo.CollectionName);
        Assert.False(await orders.MoveNextAsync(DriverSession.Guard));
        Assert.Equal([new BsonDocument("_id", 1)], session.Server.Data.Documents("shop", "things"));
    }

    [Fact]
    public async Task match_stage_after_change_stream_filters_events()
    {
        await using var session = await DriverSession.StartAsync();
        var pipeline = new EmptyPipelineDefinition<ChangeStreamDocument<BsonDocument>>()
            .Match(new BsonDocument("operationType", new BsonDocument("$in", new BsonArray { "delete" })));
        using var cursor = await session.Orders.WatchAsync(pipeline, LookupOptions);

        await session.Orders.InsertOneAsync(new BsonDocument("_id", 1));
        await session.Orders.DeleteOneAsync(new BsonDocument("_id", 1));
        var events = await DriverSession.NextEventsAsync(cursor, 1);

        Assert.Equal(ChangeStreamOperationType.Delete, Assert.Single(events).OperationType);
    }

    [Fact]
    public async Task oplog_window_is_readable_from_local_oplog_rs_by_natural_order()
    {
        await using var session = await DriverSession.StartAsync();
        await session.Orders.InsertManyAsync(Enumerable.Range(1, 5).Select(i => new BsonDocument("_id", i)));
        var oplog = session.Client.GetDatabase("local").GetCollection<BsonDocument>("oplog.rs");

        var first = await oplog.Find(FilterDefinition<BsonDocument>.Empty).Sort(new BsonDocument("$natural", 1)).Limit(1).SingleAsync();
        var last = await oplog.Find(FilterDefinition<BsonDocument>.Empty).Sort(new BsonDocument("$natural", -1)).Limit(1).SingleAsync();

        Assert.Equal(session.Server.Data.OplogFirstTimestamp, first["ts"].AsBsonTimestamp);
        Assert.Equal(session.Server.Data.OplogLastTimestamp, last["ts"].AsBsonTimestamp);
        Assert.Equal("i", last["op"].AsString);
        Assert.Equal("shop.orders", last["ns"].AsString);
    }
}
