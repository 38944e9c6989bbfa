using MongoDB.Bson;
using MongoDB.Driver;

namespace SnapshotService.Testing.Mongo.Tests;

public sealed class FaultTests
{
    private static readonly ChangeStreamOptions StreamOptions = new()
    {
        FullDocument = ChangeStreamFullDocumentOption.UpdateLookup,
        MaxAwaitTime = TimeSpan.FromMilliseconds(100),
    };

    [Fact]
    public async Task history_lost_on_getmore_surfaces_as_command_exception_286()
    {
        await using var session = await DriverSession.StartAsync();
        using var cursor = await session.Orders.WatchAsync(StreamOptions);
        await cursor.MoveNextAsync(DriverSession.Guard);

        session.Server.Faults.FailGetMoreWithHistoryLost();
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => cursor.MoveNextAsync(DriverSession.Guard));

        Assert.Equal(286, error.Code);
        Assert.Equal("ChangeStreamHistoryLost", error.CodeName);
    }

    [Fact]
    public async Task resuming_from_a_token_older_than_the_oplog_window_fails_with_286()
    {
        await using var session = await DriverSession.StartAsync();
        BsonDocument token;
        using (var cursor = await session.Orders.WatchAsync(StreamOptions))
        {
            await session.Orders.InsertManyAsync(Enumerable.Range(1, 3).Select(i => new BsonDocument("_id", i)));
            token = (await DriverSession.NextEventsAsync(cursor, 1))[0].ResumeToken;
        }

        session.Server.Faults.KeepLastOplogEntries(1);
        var error = await Assert.ThrowsAsync<MongoCommandException>(() =>
            session.Orders.WatchAsync(new ChangeStreamOptions { ResumeAfter = token }));

        Assert.Equal(286, error.Code);
    }

    [Fact]
    public async Task an_open_stream_whose_unread_entries_roll_out_of_the_oplog_fails_with_286()
    {
        await using var session = await DriverSession.StartAsync();
        using var cursor = await session.Orders.WatchAsync(StreamOptions);
        await cursor.MoveNextAsync(DriverSession.Guard);

        session.Server.Data.Insert("shop", "orders", new BsonDocument("_id", 1));
        session.Server.Data.Insert("shop", "orders", new BsonDocument("_id", 2));
        var last = session.Server.Data.Insert("shop", "orders", new BsonDocument("_id", 3));
        session.Server.Faults.TruncateOplogBefore(last);
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => cursor.MoveNextAsync(DriverSession.Guard));

        Assert.Equal(286, error.Code);
    }

    [Fact]
    public async Task a_resume_point_still_inside_the_window_survives_rolling_the_oplog()
    {
        await using var session = await DriverSession.StartAsync();
        session.Server.Data.Insert("shop", "orders", new BsonDocument("_id", 1));
        var kept = session.Server.Data.Insert("shop", "orders", new BsonDocument("_id", 2));
        session.Server.Faults.TruncateOplogBefore(kept);

        using var cursor = await session.Orders.WatchAsync(new ChangeStreamOptions { StartAtOperationTime = kept });
        var events = await DriverSession.NextEventsAsync(cursor, 1);

        Assert.Equal(2, events[0].DocumentKey["_id"].AsInt32);
        Assert.Equal(kept, session.Server.Data.OplogFirstTimestamp);
    }

    [Fact]
    public async Task not_writable_primary_on_insert_is_retried_by_the_driver_and_written_once()
    {
        await using var session = await DriverSession.StartAsync();
        session.Server.Faults.FailWithNotWritablePrimary("insert");

        await session.Orders.InsertOneAsync(new BsonDocument("_id", 1));

        Assert.Single(session.Server.Data.Documents("shop", "orders"));
    }

    [Fact]
    public async Task not_writable_primary_twice_surfaces_with_its_code_and_label()
    {
        await using var session = await DriverSession.StartAsync();
        session.Server.Faults.FailWithNotWritablePrimary("insert", times: 2);

        var error = await Assert.ThrowsAsync<MongoNotPrimaryException>(() => session.Orders.InsertOneAsync(new BsonDocument("_id", 1)));

        Assert.Equal(10107, error.Code);
        Assert.Contains("RetryableWriteError", error.ErrorLabels);
    }

    [Fact]
    public async Task connection_dropped_after_an_insert_ran_is_retried_without_a_duplicate()
    {
        await using var session = await DriverSession.StartAsync();
        using var cursor = await session.Orders.WatchAsync(StreamOptions);
        session.Server.Faults.CloseConnectionOnNext("insert", afterExecuting: true);

        await session.Orders.InsertOneAsync(new BsonDocument("_id", 1));
        await session.Orders.InsertOneAsync(new BsonDocument("_id", 2));
        var events = await DriverSession.NextEventsAsync(cursor, 2);

        Assert.Equal([1, 2], events.Select(e => e.DocumentKey["_id"].AsInt32));
    }

    [Fact]
    public async Task connection_dropped_mid_stream_is_resumed_by_the_driver_without_gap_or_duplicate()
    {
        await using var session = await DriverSession.StartAsync();
        using var cursor = await session.Orders.WatchAsync(StreamOptions);
        await session.Orders.InsertOneAsync(new BsonDocument("_id", 1));
        var before = await DriverSession.NextEventsAsync(cursor, 1);

        session.Server.Faults.CloseConnectionOnNext("getMore");
        await session.Orders.InsertManyAsync([new BsonDocument("_id", 2), new BsonDocument("_id", 3)]);
        var after = await DriverSession.NextEventsAsync(cursor, 2);

        Assert.Equal([1, 2, 3], before.Concat(after).Select(e => e.DocumentKey["_id"].AsInt32));
    }

    [Fact]
    public async Task not_writable_primary_on_getmore_is_resumed_by_the_driver()
    {
        await using var session = await DriverSession.StartAsync();
        using var cursor = await session.Orders.WatchAsync(StreamOptions);
        await cursor.MoveNextAsync(DriverSession.Guard);

        session.Server.Faults.FailWithNotWritablePrimary("getMore");
        await session.Orders.InsertOneAsync(new BsonDocument("_id", 1));
        var events = await DriverSession.NextEventsAsync(cursor, 1);

        Assert.Equal(1, Assert.Single(events).DocumentKey["_id"].AsInt32);
    }

    [Fact]
    public async Task delayed_getmore_still_delivers_its_events()
    {
        await using var session = await DriverSession.StartAsync();
        using var cursor = await session.Orders.WatchAsync(StreamOptions);
        await cursor.MoveNextAsync(DriverSession.Guard);

        session.Server.Faults.Delay("getMore", TimeSpan.FromMilliseconds(300));
        await session.Orders.InsertOneAsync(new BsonDocument("_id", 1));
        var events = await DriverSession.NextEventsAsync(cursor, 1);

        Assert.Single(events);
    }

    [Fact]
    public async Task disabled_change_streams_fail_like_a_standalone_server()
    {
        await using var session = await DriverSession.StartAsync();
        session.Server.Faults.ChangeStreamsDisabled = true;

        var error = await Assert.ThrowsAsync<MongoCommandException>(() => session.Orders.WatchAsync(StreamOptions));

        Assert.Equal(40573, error.Code);
        Assert.Contains("only supported on replica sets", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task rejected_credentials_surface_as_an_authentication_failure()
    {
        await using var server = await MongoWireServer.StartAsync();
        server.Faults.RejectAuthentication = true;
        var settings = MongoClientSettings.FromConnectionString($"mongodb://app:wrong@127.0.0.1:{server.Port}/?replicaSet=rs0");
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(5);
        using var client = new MongoClient(settings);

        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            client.GetDatabase("shop").RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1)));

        Assert.True(error is MongoAuthenticationException || error.InnerException is MongoAuthenticationException
            || error.ToString().Contains("MongoAuthenticationException", StringComparison.Ordinal), error.ToString());
    }

    [Fact]
    public async Task command_failure_with_custom_code_and_labels_reaches_the_driver()
    {
        await using var session = await DriverSession.StartAsync();
        session.Server.Faults.FailCommand("find", 1, 13, "Unauthorized", "not authorized on shop to execute command");

        var error = await Assert.ThrowsAsync<MongoCommandException>(() => session.Orders.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync());
        var retry = await session.Orders.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync();

        Assert.Equal(13, error.Code);
        Assert.Empty(retry);
    }
}
