using MongoDB.Bson;
using MongoDB.Driver;

namespace SnapshotService.Testing.Mongo.Tests;

/// <summary>Driver features the MongoDB source leans on beyond plain CRUD: sessions, majority reads, bulk writes, counts, cursors.</summary>
public sealed class DriverFeatureTests
{
    [Fact]
    public async Task causally_consistent_majority_reads_see_the_session_writes()
    {
        await using var session = await DriverSession.StartAsync();
        using var clientSession = await session.Client.StartSessionAsync(new ClientSessionOptions { CausalConsistency = true });
        var majority = session.Orders.WithReadConcern(ReadConcern.Majority);

        await session.Orders.InsertOneAsync(clientSession, new BsonDocument("_id", 1));
        var read = await majority.Find(clientSession, new BsonDocument("_id", 1)).ToListAsync();

        Assert.Single(read);
        Assert.NotNull(clientSession.OperationTime);
        Assert.Equal(session.Server.Data.ClusterTime, clientSession.OperationTime);
    }

    [Fact]
    public async Task bulk_upserts_and_deletes_apply_in_order()
    {
        await using var session = await DriverSession.StartAsync();
        await session.Orders.InsertManyAsync([new BsonDocument { { "_id", 1 }, { "v", 0 } }, new BsonDocument { { "_id", 2 }, { "v", 0 } }]);

        var result = await session.Orders.BulkWriteAsync(
        [
            new ReplaceOneModel<BsonDocument>(new BsonDocument("_id", 1), new BsonDocument("v", 1)) { IsUpsert = true },
            new ReplaceOneModel<BsonDocument>(new BsonDocument("_id", 3), new BsonDocument("v", 3)) { IsUpsert = true },
            new UpdateOneModel<BsonDocument>(new BsonDocument("_id", 4), new BsonDocument("$set", new BsonDocument("v", 4))) { IsUpsert = true },
            new DeleteOneModel<BsonDocument>(new BsonDocument("_id", 2)),
        ]);

        Assert.Equal(2, result.Upserts.Count);
        Assert.Equal(1, result.DeletedCount);
        Assert.Equal(
            [new BsonDocument { { "_id", 1 }, { "v", 1 } }, new BsonDocument { { "_id", 3 }, { "v", 3 } }, new BsonDocument { { "_id", 4 }, { "v", 4 } }],
            session.Server.Data.Documents("shop", "orders"));
    }

    [Fact]
    public async Task estimated_and_filtered_counts_agree_with_the_collection()
    {
        await using var session = await DriverSession.StartAsync();
        await session.Orders.InsertManyAsync(Enumerable.Range(1, 7).Select(i => new BsonDocument { { "_id", i }, { "big", i > 4 } }));

        Assert.Equal(7, await session.Orders.EstimatedDocumentCountAsync());
        Assert.Equal(3, await session.Orders.CountDocumentsAsync(new BsonDocument("big", true)));
        Assert.Equal(0, await session.Database.GetCollection<BsonDocument>("missing").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
    }

    [Fact]
    public async Task an_abandoned_find_cursor_is_killed_and_a_killed_cursor_is_not_found()
    {
        await using var session = await DriverSession.StartAsync();
        await session.Orders.InsertManyAsync(Enumerable.Range(1, 10).Select(i => new BsonDocument("_id", i)));
        var command = new BsonDocument { { "find", "orders" }, { "batchSize", 2 } };

        var reply = await session.Database.RunCommandAsync<BsonDocument>(command);
        var cursorId = reply["cursor"]["id"].AsInt64;
        var killed = await session.Database.RunCommandAsync<BsonDocument>(new BsonDocument { { "killCursors", "orders" }, { "cursors", new BsonArray { cursorId } } });
        var error = await Assert.ThrowsAsync<MongoCommandException>(() =>
            session.Database.RunCommandAsync<BsonDocument>(new BsonDocument { { "getMore", cursorId }, { "collection", "orders" } }));

        Assert.NotEqual(0, cursorId);
        Assert.Equal(new BsonArray { cursorId }, killed["cursorsKilled"].AsBsonArray);
        Assert.Equal(43, error.Code);
    }

    [Fact]
    public async Task chunked_range_reads_in_id_order_cover_the_collection_exactly_once()
    {
        await using var session = await DriverSession.StartAsync();
        var ids = Enumerable.Range(0, 50).Select(i => (i * 37) % 50).ToList();
        await session.Orders.InsertManyAsync(ids.Select(i => new BsonDocument("_id", i)));

        var seen = new List<int>();
        BsonValue? after = null;
        while (true)
        {
            var filter = after is null ? new BsonDocument() : new BsonDocument("_id", new BsonDocument("$gt", after));
            var chunk = await session.Orders.Find(filter).Sort(new BsonDocument("_id", 1)).Limit(8).ToListAsync();
            if (chunk.Count == 0)
            {
                break;
            }
            seen.AddRange(chunk.Select(d => d["_id"].AsInt32));
            after = chunk[^1]["_id"];
        }

        Assert.Equal(Enumerable.Range(0, 50), seen);
    }

    [Fact]
    public async Task find_one_and_update_replace_and_delete_return_the_documents_the_server_would()
    {
        await using var session = await DriverSession.StartAsync();
        await session.Orders.InsertManyAsync([new BsonDocument { { "_id", 1 }, { "n", 1 } }, new BsonDocument { { "_id", 2 }, { "n", 2 } }]);

        var before = await session.Orders.FindOneAndUpdateAsync(new BsonDocument("_id", 1), new BsonDocument("$inc", new BsonDocument("n", 10)));
        var after = await session.Orders.FindOneAndReplaceAsync(new BsonDocument("_id", 2), new BsonDocument("n", 20),
            new FindOneAndReplaceOptions<BsonDocument> { ReturnDocument = ReturnDocument.After });
        var upserted = await session.Orders.FindOneAndUpdateAsync(new BsonDocument("_id", 3), new BsonDocument("$set", new BsonDocument("n", 3)),
            new FindOneAndUpdateOptions<BsonDocument> { IsUpsert = true, ReturnDocument = ReturnDocument.After });
        var removed = await session.Orders.FindOneAndDeleteAsync(new BsonDocument("n", 11));

        Assert.Equal(new BsonDocument { { "_id", 1 }, { "n", 1 } }, before);
        Assert.Equal(new BsonDocument { { "_id", 2 }, { "n", 20 } }, after);
        Assert.Equal(new BsonDocument { { "_id", 3 }, { "n", 3 } }, upserted);
        Assert.Equal(new BsonDocument { { "_id", 1 }, { "n", 11 } }, removed);
        Assert.Equal([2, 3], session.Server.Data.Documents("shop", "orders").Select(d => d["_id"].AsInt32));
    }

    [Fact]
    public async Task id_sorted_reads_respect_type_order_bounds_and_direction()
    {
        await using var session = await DriverSession.StartAsync();
        await session.Orders.InsertManyAsync([
            new BsonDocument("_id", "b"), new BsonDocument("_id", 3), new BsonDocument("_id", 1L), new BsonDocument("_id", 2.5), new BsonDocument("_id", "a"),
        ]);

        var numbersDown = await session.Orders.Find(new BsonDocument("_id", new BsonDocument { { "$gte", 1 }, { "$lt", 3 } })).Sort(new BsonDocument("_id", -1)).ToListAsync();
        var stringsUp = await session.Orders.Find(new BsonDocument("_id", new BsonDocument("$gt", ""))).Sort(new BsonDocument("_id", 1)).ToListAsync();
        var exact = await session.Orders.Find(new BsonDocument("_id", 1)).Sort(new BsonDocument("_id", 1)).ToListAsync();

        Assert.Equal([2.5, 1.0], numbersDown.Select(d => d["_id"].ToDouble()));
        Assert.Equal(["a", "b"], stringsUp.Select(d => d["_id"].AsString));
        Assert.Equal(new BsonInt64(1), Assert.Single(exact)["_id"]);
    }

    [Fact]
    public async Task a_full_oplog_drops_its_oldest_entries_and_old_resume_points_are_lost()
    {
        await using var session = await DriverSession.StartAsync(new MongoWireServerOptions { OplogCapacity = 16 });
        var first = session.Server.Data.Insert("shop", "orders", new BsonDocument("_id", 0));
        for (var i = 1; i < 40; i++)
        {
            session.Server.Data.Insert("shop", "orders", new BsonDocument("_id", i));
        }

        var error = await Assert.ThrowsAsync<MongoCommandException>(() =>
            session.Orders.WatchAsync(new ChangeStreamOptions { StartAtOperationTime = first }));

        Assert.Equal(286, error.Code);
        Assert.True(session.Server.Data.OplogCount <= 16);
        Assert.Equal(40, session.Server.Data.Documents("shop", "orders").Count);
    }
}
