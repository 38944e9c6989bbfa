using System.Globalization;
using System.Text;
using Grpc.Core;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;
using SnapshotService.Api.V1;
using SnapshotService.Errors;
using SnapshotService.Host.Restore;
using SnapshotService.Host.Sources;
using SnapshotService.Sources.Cosmos;
using SnapshotService.Testing;
using SnapshotService.Testing.Cosmos;

namespace SnapshotService.Host.Tests;

/// <summary>
/// A host with Cosmos DB sources: one on the gateway test server (2 feed ranges), one whose account
/// is unreachable (it fails alone; the host and the other sources keep running).
/// </summary>
public sealed class CosmosHostFixture : HostFixture, IAsyncLifetime
{
    public const string CosmosSourceId = "items";
    public const string BrokenSourceId = "nocosmos";
    public const string Database = "shop";

    public CosmosGatewayServer Server { get; private set; } = null!;

    public CosmosClient Client { get; private set; } = null!;

    public new async Task InitializeAsync()
    {
        Server = await CosmosGatewayServer.StartAsync(partitionKeyRanges: 2);
        Client = new CosmosClient(Server.Endpoint.ToString(), Server.Key, new CosmosClientOptions
        {
            ConnectionMode = ConnectionMode.Gateway,
            LimitToEndpoint = true,
            ServerCertificateCustomValidationCallback = Server.ValidateServerCertificate,
        });
        var database = (await Client.CreateDatabaseAsync(Database)).Database;
        var container = (await database.CreateContainerAsync("orders", "/pk")).Container;
        await database.CreateContainerAsync("orders-copy", "/pk");
        for (var i = 0; i < 5; i++)
        {
            await UpsertAsync(container, $"o{i}", i);
        }
        await base.InitializeAsync();
    }

    public static async Task UpsertAsync(Container container, string id, int n)
    {
        using var response = await container.UpsertItemStreamAsync(new MemoryStream(Encoding.UTF8.GetBytes($$"""{"id":"{{id}}","pk":"p{{n % 2}}","n":{{n}}}""")), new PartitionKey($"p{n % 2}"));
        Assert.True(response.IsSuccessStatusCode, response.ErrorMessage);
    }

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings()
    {
        var prefix = $"SnapshotService:Sources:{CosmosSourceId}";
        yield return new($"{prefix}:Kind", "cosmosdb");
        foreach (var setting in CosmosSettings(prefix, Server.Endpoint.ToString()))
        {
            yield return setting;
        }
        yield return new($"{prefix}:Cosmos:ServerCertificateThumbprint", Server.CertificateThumbprint);
        var broken = $"SnapshotService:Sources:{BrokenSourceId}";
        yield return new($"{broken}:Kind", "cosmosdb");
        foreach (var setting in CosmosSettings(broken, $"https://127.0.0.1:{FreePort.Next().ToString(CultureInfo.InvariantCulture)}/"))
        {
            yield return setting;
        }
        yield return new($"{broken}:Cosmos:MaxRetries", "1");
        yield return new($"{broken}:Cosmos:RequestTimeout", "00:00:02");
    }

    private IEnumerable<KeyValuePair<string, string>> CosmosSettings(string prefix, string endpoint)
    {
        yield return new($"{prefix}:Cosmos:Endpoint", endpoint);
        yield return new($"{prefix}:Cosmos:Database", Database);
        yield return new($"{prefix}:Cosmos:Container", "orders");
        yield return new($"{prefix}:Cosmos:AuthMode", "Key");
        yield return new($"{prefix}:Cosmos:Key", Server.Key);
        yield return new($"{prefix}:Cosmos:ConnectionMode", "Gateway");
        yield return new($"{prefix}:Cosmos:LimitToEndpoint", "true");
        yield return new($"{prefix}:Cosmos:PollDelay", "00:00:00.100");
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Client.Dispose();
        await Server.DisposeAsync();
    }
}

public sealed class CosmosSourceHostTests(CosmosHostFixture host) : IClassFixture<CosmosHostFixture>
{
    [Fact]
    public async Task a_cosmosdb_source_loads_the_container_then_captures_into_the_export()
    {
        await host.WaitForCommittedAsync(CosmosHostFixture.CosmosSourceId, 5);
        await CosmosHostFixture.UpsertAsync(host.Client.GetContainer(CosmosHostFixture.Database, "orders"), "o5", 5);
        var source = await host.WaitForCommittedAsync(CosmosHostFixture.CosmosSourceId, 6);

        Assert.Equal("cosmosdb", source.Kind);
        Assert.Equal(SourceState.Running, source.State);
        Assert.Contains("deletes found by reconciliation", source.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_unreachable_cosmosdb_source_fails_alone_with_an_actionable_reason()
    {
        Source? broken = null;
        await Eventually.TrueAsync(
            async () => (broken = await host.Sources.GetSourceAsync(new GetSourceRequest { SourceId = CosmosHostFixture.BrokenSourceId })).State == SourceState.Failed,
            () => $"source '{CosmosHostFixture.BrokenSourceId}' fails (last status: {broken})");

        Assert.Contains("Cosmos DB source 'nocosmos'", broken!.FailureReason, StringComparison.Ordinal);
        Assert.Contains("unreachable", broken.FailureReason, StringComparison.Ordinal);
        Assert.Equal(SourceState.Running, (await host.Sources.GetSourceAsync(new GetSourceRequest { SourceId = HostFixture.SourceId })).State);
    }

    [Fact]
    public async Task a_latest_snapshot_restores_into_another_container_of_the_source_database()
    {
        await host.WaitForCommittedAsync(CosmosHostFixture.CosmosSourceId, 5);
        var snapshot = await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = CosmosHostFixture.CosmosSourceId });

        var messages = await ViewCalls.RestoreAsync(host, CosmosHostFixture.CosmosSourceId, snapshot.SnapshotId, "cosmosdb:items/orders-copy");

        var verification = messages[^1].Verification;
        Assert.True(verification.Ok, verification.ToString());
        Assert.Equal("cosmosdb:shop/orders-copy", verification.Target);
        Assert.True(verification.ViewDocuments >= 5);
    }

    [Fact]
    public async Task restoring_into_the_source_container_is_refused_naming_target()
    {
        await host.WaitForCommittedAsync(CosmosHostFixture.CosmosSourceId, 5);
        var snapshot = await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = CosmosHostFixture.CosmosSourceId });

        var ex = await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "target", () => ViewCalls.RestoreAsync(host, CosmosHostFixture.CosmosSourceId, snapshot.SnapshotId, "cosmosdb:items/orders"));

        Assert.Contains("own container shop/orders", ex.Status.Detail, StringComparison.Ordinal);
    }
}

/// <summary>Static Cosmos DB settings and target strings, checked without a server.</summary>
public sealed class CosmosConfigurationTests
{
    private static RestoreTargets Targets()
    {
        var sources = new SourcesOptions();
        sources.Sources["orders"] = new SourceSettings
        {
            Kind = SourcesOptions.CosmosKind,
            Cosmos = new CosmosSourceOptions { Endpoint = "https://127.0.0.1:1/", Database = "shop", Container = "orders", AuthMode = CosmosAuthMode.Key, Key = CosmosGatewayServer.EmulatorKey },
        };
        sources.Sources["demo"] = new SourceSettings { Kind = SourcesOptions.SimulatedKind };
        return new RestoreTargets(Options.Create(new RestoreOptions()), Options.Create(sources));
    }

    [Theory]
    [InlineData("cosmosdb:orders/orders", "own container shop/orders")]
    [InlineData("cosmosdb:orders/", "needs the form cosmosdb:SOURCE_ID/CONTAINER")]
    [InlineData("cosmosdb:nope/x", "source 'nope', which is not configured")]
    [InlineData("cosmosdb:demo/x", "of kind 'simulated'")]
    [InlineData("cosmosdb:orders/a#b", "not a valid Cosmos DB container id")]
    public void bad_cosmosdb_targets_are_invalid_arguments_naming_target(string target, string message)
    {
        using var targets = Targets();
        var ex = Assert.Throws<SnapshotServiceException>(() => targets.Resolve(target));
        Assert.Equal("target", ex.Field);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_cosmosdb_target_uses_the_source_database()
    {
        using var targets = Targets();
        Assert.Equal("cosmosdb:shop/orders-restore", targets.Resolve("cosmosdb:orders/orders-restore").Description);
    }

    [Fact]
    public void a_cosmosdb_source_without_endpoint_fails_validation_naming_the_setting()
    {
        var sources = new SourcesOptions();
        sources.Sources["orders"] = new SourceSettings { Kind = "cosmosdb", Cosmos = new CosmosSourceOptions { Database = "shop", Container = "orders" } };

        var result = new SourcesOptionsValidator().Validate(null, sources);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("SnapshotService:Sources:orders:Cosmos:Endpoint is required", StringComparison.Ordinal));
    }
}
