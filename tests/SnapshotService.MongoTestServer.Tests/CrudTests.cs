using MongoDB.Bson;
using MongoDB.Driver;

namespace SnapshotService.Testing.Mongo.Tests;

public sealed class CrudTests
{
    [Fact]
    public async Task insert_update_delete_and_find_round_trip_through_the_driver()
    {
        await using var session = await DriverSession.StartAsync();
        var orders = session.Orders;

        await orders.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "item", "apple" }, { "qty", 5 } });
        await orders.InsertManyAsync([new BsonDocument { { "_id", 2 }, { "item", "pear" } }, new BsonDocument { { "_id", 3 }, { "item", "fig" } }]);
        var set = await orders.UpdateOneAsync(new BsonDocument("_id", 1), new BsonDocument { { "$set", new BsonDocument("item", "apricot") }, { "$inc", new BsonDocument("qty", 2) } });
        var unset = await orders.UpdateOneAsync(new BsonDocument("_id", 1), new BsonDocument("$unset", new BsonDocument("item", "")));
        var replaced = await orders.ReplaceOneAsync(new BsonDocument("_id", 2), new BsonDocument { { "item", "plum" }, { "price", 1.5 } });
        var deleted = await orders.DeleteOneAsync(new BsonDocument("_id", 3));

        Assert.Equal(1, set.ModifiedCount);
        Assert.Equal(1, unset.ModifiedCount);
        Assert.Equal(1, replaced.ModifiedCount);
        Assert.Equal(1, deleted.DeletedCount);
        var all = await orders.Find(FilterDefinition<BsonDocument>.Empty).Sort(new BsonDocument("_id", 1)).ToListAsync();
        Assert.Equal(
            [new BsonDocument { { "_id", 1 }, { "qty", 7 } }, new BsonDocument { { "_id", 2 }, { "item", "plum" }, { "price", 1.5 } }],
            all);
        Assert.Equal(all, session.Server.Data.Documents("shop", "orders"));
    }

    [Fact]
    public async Task upsert_inserts_the_filter_fields_and_reports_the_new_id()
    {
        await using var session = await DriverSession.StartAsync();

        var result = await session.Orders.UpdateOneAsync(new BsonDocument("_id", "a"), new BsonDocument("$set", new BsonDocument("n", 1)), new UpdateOptions { IsUpsert = true });
        await session.Orders.ReplaceOneAsync(new BsonDocument("_id", "b"), new BsonDocument("n", 2), new ReplaceOptions { IsUpsert = true });

        Assert.Equal("a", result.UpsertedId.AsString);
        Assert.Equal(new BsonDocument { { "_id", "a" }, { "n", 1 } }, session.Server.Data.Find("shop", "orders", "a"));
        Assert.Equal(new BsonDocument { { "_id", "b" }, { "n", 2 } }, session.Server.Data.Find("shop", "orders", "b"));
    }

    [Fact]
    public async Task update_many_and_delete_many_touch_every_matching_document()
    {
        await using var session = await DriverSession.StartAsync();
        await session.Orders.InsertManyAsync(Enumerable.Range(1, 6).Select(i => new BsonDocument { { "_id", i }, { "kind", i % 2 == 0 ? "even" : "odd" } }));

        var updated = await session.Orders.UpdateManyAsync(new BsonDocument("kind", "even"), new BsonDocument("$set", new BsonDocument("seen", true)));
        var deleted = await session.Orders.DeleteManyAsync(new BsonDocument("kind", "odd"));

        Assert.Equal(3, updated.ModifiedCount);
        Assert.Equal(3, deleted.DeletedCount);
        Assert.Equal(3, await session.Orders.CountDocumentsAsync(new BsonDocument("seen", true)));
    }

    [Fact]
    public async Task duplicate_id_surfaces_as_a_duplicate_key_write_error()
    {
        await using var session = await DriverSession.StartAsync();
        await session.Orders.InsertOneAsync(new BsonDocument("_id", 1));

        var error = await Assert.ThrowsAsync<MongoWriteException>(() => session.Orders.InsertOneAsync(new BsonDocument("_id", 1)));

        Assert.Equal(ServerErrorCategory.DuplicateKey, error.WriteError.Category);
    }

    [Fact]
    public async Task find_reads_in_batches_with_getmore_and_honours_range_in_sort_and_limit()
    {
        await using var session = await DriverSession.StartAsync();
        await session.Orders.InsertManyAsync(Enumerable.Range(1, 25).Select(i => new BsonDocument { { "_id", i }, { "tag", i % 3 } }));

        var batched = await session.Orders.Find(FilterDefinition<BsonDocument>.Empty, new FindOptions { BatchSize = 4 }).ToListAsync();
        var range = await session.Orders.Find(new BsonDocument("_id", new BsonDocument { { "$gt", 5 }, { "$lte", 9 } }))
            .Sort(new BsonDocument("_id", -1)).ToListAsync();
        var inList = await session.Orders.Find(new BsonDocument("_id", new BsonDocument("$in", new BsonArray { 3, 30, 7 }))).ToListAsync();
        var limited = await session.Orders.Find(new BsonDocument("tag", 0)).Limit(2).ToListAsync();

        Assert.Equal(Enumerable.Range(1, 25), batched.Select(d => d["_id"].AsInt32));
        Assert.Equal([9, 8, 7, 6], range.Select(d => d["_id"].AsInt32));
        Assert.Equal([3, 7], inList.Select(d => d["_id"].AsInt32));
        Assert.Equal([3, 6], limited.Select(d => d["_id"].AsInt32));
    }

    [Fact]
    public async Task documents_keep_field_order_and_bson_types()
    {
        await using var session = await DriverSession.StartAsync();
        var document = new BsonDocument
        {
            { "_id", ObjectId.GenerateNewId() },
            { "z", 1L },
            { "a", 1 },
            { "d", new BsonDecimal128(1.25m) },
            { "when", new BsonDateTime(new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc)) },
            { "bin", new BsonBinaryData([1, 2, 3]) },
            { "nested", new BsonDocument { { "y", 2.0 }, { "x", BsonNull.Value } } },
        };

        await session.Orders.InsertOneAsync(document);
        var read = await session.Orders.Find(new BsonDocument("_id", document["_id"])).SingleAsync();

        Assert.Equal(document.Names, read.Names);
        Assert.Equal(document.Select(e => e.Value.BsonType), read.Select(e => e.Value.BsonType));
        Assert.Equal(document, read);
    }

    [Fact]
    public async Task collections_can_be_listed_created_and_dropped()
    {
        await using var session = await DriverSession.StartAsync();
        await session.Database.CreateCollectionAsync("empty");
        await session.Orders.InsertOneAsync(new BsonDocument("_id", 1));

        var names = await (await session.Database.ListCollectionNamesAsync()).ToListAsync();
        await session.Database.DropCollectionAsync("orders");
        var after = await (await session.Database.ListCollectionNamesAsync()).ToListAsync();
        var databases = await (await session.Client.ListDatabaseNamesAsync()).ToListAsync();

        Assert.Equal(["empty", "orders"], names);
        Assert.Equal(["empty"], after);
        Assert.Contains("shop", databases);
    }

    [Fact]
    public async Task unknown_command_answers_command_not_found()
    {
        await using var session = await DriverSession.StartAsync();

        var error = await Assert.ThrowsAsync<MongoCommandException>(() =>
            session.Database.RunCommandAsync<BsonDocument>(new BsonDocument("frobnicate", 1)));

        Assert.Equal(59, error.Code);
        Assert.Equal("CommandNotFound", error.CodeName);
        Assert.Contains("no such command: 'frobnicate'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ping_build_info_and_replica_set_status_answer_like_a_primary()
    {
        await using var session = await DriverSession.StartAsync();
        var admin = session.Client.GetDatabase("admin");
        await session.Orders.InsertOneAsync(new BsonDocument("_id", 1));

        var ping = await admin.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1));
        var build = await admin.RunCommandAsync<BsonDocument>(new BsonDocument("buildInfo", 1));
        var status = await admin.RunCommandAsync<BsonDocument>(new BsonDocument("replSetGetStatus", 1));

        Assert.Equal(1.0, ping["ok"].ToDouble());
        Assert.StartsWith("7.", build["version"].AsString, StringComparison.Ordinal);
        Assert.Equal("PRIMARY", status["members"][0]["stateStr"].AsString);
        Assert.Equal(session.Server.Data.OplogLastTimestamp, status["optimes"]["appliedOpTime"]["ts"].AsBsonTimestamp);
    }
}
