using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Options;
using MongoDB.Bson;
using MongoDB.Driver;
using SnapshotService.Api.V1;
using SnapshotService.Errors;
using SnapshotService.Host.Restore;
using SnapshotService.Host.Sources;
using SnapshotService.Sources.Mongo;
using SnapshotService.Testing;
using SnapshotService.Testing.Mongo;

namespace SnapshotService.Host.Tests;

/// <summary>
/// A host with MongoDB sources: one on the wire-protocol test server, one whose server is
/// unreachable (it fails alone; the host and the other sources keep running).
/// </summary>
public sealed class MongoHostFixture : HostFixture, IAsyncLifetime
{
    public const string MongoSourceId = "orders";
    public const string BrokenSourceId = "unreachable";
    public const string Database = "shop";

    public MongoWireServer Server { get; private set; } = null!;

    public IMongoCollection<BsonDocument> Orders =>
        new MongoClient(Server.ConnectionString).GetDatabase(Database).GetCollection<BsonDocument>("orders");

    public new async Task InitializeAsync()
    {
        Server = await MongoWireServer.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            Server.Data.Insert(Database, "orders", new BsonDocument { { "_id", $"o{i}" }, { "n", i } });
        }
        await base.InitializeAsync();
    }

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings()
    {
        var prefix = $"SnapshotService:Sources:{MongoSourceId}";
        yield return new($"{prefix}:Kind", "mongodb");
        yield return new($"{prefix}:Mongo:ConnectionString", Server.ConnectionString);
        yield return new($"{prefix}:Mongo:Database", Database);
        yield return new($"{prefix}:Mongo:Collection", "orders");
        yield return new($"{prefix}:Mongo:MaxAwaitTime", "00:00:00.100");
        yield return new($"{prefix}:Mongo:ChunkSize", "2");
        var broken = $"SnapshotService:Sources:{BrokenSourceId}";
        yield return new($"{broken}:Kind", "mongodb");
        yield return new($"{broken}:Mongo:ConnectionString", $"mongodb://127.0.0.1:{FreePort.Next().ToString(CultureInfo.InvariantCulture)}/?replicaSet=rs0");
        yield return new($"{broken}:Mongo:Database", Database);
        yield return new($"{broken}:Mongo:Collection", "orders");
        yield return new($"{broken}:Mongo:ServerSelectionTimeout", "00:00:00.300");
        yield return new($"{broken}:Mongo:MaxRetries", "1");
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Server.DisposeAsync();
    }
}

public sealed class MongoSourceHostTests(MongoHostFixture host) : IClassFixture<MongoHostFixture>
{
    [Fact]
    public async Task a_mongodb_source_backfills_then_captures_into_the_export()
    {
        await host.WaitForCommittedAsync(MongoHostFixture.MongoSourceId, 5);
        await host.Orders.InsertOneAsync(new BsonDocument { { "_id", "o5" }, { "n", 5 } });
        var source = await host.WaitForCommittedAsync(MongoHostFixture.MongoSourceId, 6);
        Assert.Equal("mongodb", source.Kind);
        Assert.Equal(SourceState.Running, source.State);
        Assert.Contains("MongoDB shop.orders on 127.0.0.1", source.Description, StringComparison.Ordinal);
        // GetSource shows the adapter's readable summary, not the raw JSON position token.
        Assert.StartsWith("stream at ", source.PositionSummary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_unreachable_mongodb_source_fails_alone_with_an_actionable_reason()
    {
        Source? broken = null;
        await Eventually.TrueAsync(
            async () => (broken = await host.Sources.GetSourceAsync(new GetSourceRequest { SourceId = MongoHostFixture.BrokenSourceId })).State == SourceState.Failed,
            () => $"source '{MongoHostFixture.BrokenSourceId}' fails (last status: {broken})");
        Assert.Contains("no usable server", broken!.FailureReason, StringComparison.Ordinal);
        Assert.Contains("connection string", broken.FailureReason, StringComparison.Ordinal);
        // The host and its other sources are unaffected.
        Assert.Equal(SourceState.Running, (await host.Sources.GetSourceAsync(new GetSourceRequest { SourceId = HostFixture.SourceId })).State);
    }

    [Fact]
    public async Task a_snapshot_restores_into_another_collection_of_the_source_database()
    {
        await host.WaitForCommittedAsync(MongoHostFixture.MongoSourceId, 5);
        var snapshot = await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = MongoHostFixture.MongoSourceId });
        var messages = await ViewCalls.RestoreAsync(host, MongoHostFixture.MongoSourceId, snapshot.SnapshotId, "mongodb:orders/orders_copy");
        var verification = messages[^1].Verification;
        Assert.True(verification.Ok, verification.ToString());
        Assert.Equal("mongodb:shop.orders_copy", verification.Target);
        Assert.Equal(verification.ViewDocuments, (ulong)host.Server.Data.Documents(MongoHostFixture.Database, "orders_copy").Count);
    }

    [Fact]
    public async Task restoring_into_the_source_collection_is_refused_naming_target()
    {
        await host.WaitForCommittedAsync(MongoHostFixture.MongoSourceId, 5);
        var snapshot = await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = MongoHostFixture.MongoSourceId });
        var ex = await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "target", () => ViewCalls.RestoreAsync(host, MongoHostFixture.MongoSourceId, snapshot.SnapshotId, "mongodb:orders/orders"));
        Assert.Contains("own collection shop.orders", ex.Status.Detail, StringComparison.Ordinal);
    }
}

/// <summary>Static MongoDB settings and target strings, checked without a server.</summary>
public sealed class MongoConfigurationTests
{
    private static RestoreTargets Targets()
    {
        var sources = new SourcesOptions();
        sources.Sources["orders"] = new SourceSettings
        {
            Kind = SourcesOptions.MongoKind,
            Mongo = new MongoSourceOptions { ConnectionString = "mongodb://127.0.0.1:1/?replicaSet=rs0", Database = "shop", Collection = "orders" },
        };
        sources.Sources["demo"] = new SourceSettings { Kind = SourcesOptions.SimulatedKind };
        return new RestoreTargets(Options.Create(new RestoreOptions()), Options.Create(sources));
    }

    [Theory]
    [InlineData("mongodb:orders/orders", "own collection shop.orders")]
    [InlineData("mongodb:orders/", "needs the form mongodb:SOURCE_ID/COLLECTION")]
    [InlineData("mongodb:nope/x", "source 'nope', which is not configured")]
    [InlineData("mongodb:demo/x", "of kind 'simulated'")]
    [InlineData("mongodb:orders/a$b", "not a valid collection name")]
    public void bad_mongodb_targets_are_invalid_arguments_naming_target(string target, string message)
    {
        var ex = Assert.Throws<SnapshotServiceException>(() => Targets().Resolve(target));
        Assert.Equal("target", ex.Field);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_mongodb_target_uses_the_source_database()
    {
        Assert.Equal("mongodb:shop.orders_restore", Targets().Resolve("mongodb:orders/orders_restore").Description);
    }

    [Fact]
    public void a_mongodb_source_without_database_fails_validation_naming_the_setting()
    {
        var sources = new SourcesOptions();
        sources.Sources["orders"] = new SourceSettings { Kind = "mongodb", Mongo = new MongoSourceOptions { ConnectionString = "mongodb://h/?replicaSet=rs0", Collection = "orders" } };
        var result = new SourcesOptionsValidator().Validate(null, sources);
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("SnapshotService:Sources:orders:Mongo:Database is required", StringComparison.Ordinal));
    }
}
