
namespace SnapshotService.Sources.Mongo.Tests;

public sealed class MongoSourceOptionsTests
{
    [Fact]
    public void valid_options_have_no_problems()
    {
        var options = new MongoSourceOptions { ConnectionString = "mongodb://127.0.0.1:27017/?replicaSet=rs0", Database = "shop", Collection = "orders", Filter = "{\"tenant\":\"a\"}" };
        Assert.Empty(options.Validate("orders"));
        Assert.Equal("MongoDB shop.orders on 127.0.0.1:27017, filter {\"tenant\":\"a\"}", options.Describe());
    }

    [Fact]
    public void every_problem_names_the_source_and_the_setting()
    {
        var options = new MongoSourceOptions { ConnectionString = "http://nope", Filter = "{not json", BatchSize = 0, ChunkSize = -1, MaxAwaitTime = TimeSpan.Zero };
        var problems = options.Validate("orders");
        Assert.Contains(problems, p => p.StartsWith("Configuration for source 'orders' is invalid: SnapshotService:Sources:orders:Mongo:Database is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("SnapshotService:Sources:orders:Mongo:Collection is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("SnapshotService:Sources:orders:Mongo:ConnectionString is not a valid MongoDB connection string", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("SnapshotService:Sources:orders:Mongo:Filter is not a JSON query document", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("SnapshotService:Sources:orders:Mongo:BatchSize must be between 1", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("SnapshotService:Sources:orders:Mongo:ChunkSize must be between 1", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("SnapshotService:Sources:orders:Mongo:MaxAwaitTime must be more than 0", StringComparison.Ordinal));
    }

    [Fact]
    public void the_description_never_shows_credentials()
    {
        var options = new MongoSourceOptions { ConnectionString = "mongodb://reader:s3cret@db1:27017,db2:27017/?replicaSet=rs0", Database = "shop", Collection = "orders" };
        Assert.DoesNotContain("s3cret", options.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void the_filter_applies_to_full_documents_in_the_stream_and_lets_deletes_through()
    {
        var stage = ChangeStreamFilter.MatchStage(MongoDB.Bson.BsonDocument.Parse("{\"tenant\":\"a\",\"$or\":[{\"n\":{\"$gt\":1}},{\"x\":true}]}"));
        Assert.Equal(
            "{ \"$match\" : { \"$or\" : [{ \"operationType\" : { \"$in\" : [\"delete\", \"drop\", \"rename\", \"dropDatabase\", \"invalidate\"] } }, { \"fullDocument.tenant\" : \"a\", \"$or\" : [{ \"fullDocument.n\" : { \"$gt\" : 1 } }, { \"fullDocument.x\" : true }] }] } }",
            stage.ToString());
    }
}
