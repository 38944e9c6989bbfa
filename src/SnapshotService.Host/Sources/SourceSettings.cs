using SnapshotService.Simulated;
using SnapshotService.Sources.Cosmos;
using SnapshotService.Sources.Mongo;

namespace SnapshotService.Host.Sources;

/// <summary>One configured source: <c>SnapshotService:Sources:{id}</c>.</summary>
public sealed class SourceSettings
{
    /// <summary>The adapter: <c>simulated</c>, <c>mongodb</c> or <c>cosmosdb</c>.</summary>
    public string? Kind { get; set; }

    /// <summary>Generator settings when <see cref="Kind"/> is <c>simulated</c>.</summary>
    public SimulatedSourceOptions Simulated { get; set; } = new();

    /// <summary>Connection and collection when <see cref="Kind"/> is <c>mongodb</c> (<c>SnapshotService:Sources:{id}:Mongo</c>).</summary>
    public MongoSourceOptions Mongo { get; set; } = new();

    /// <summary>Account, container and feed settings when <see cref="Kind"/> is <c>cosmosdb</c> (<c>SnapshotService:Sources:{id}:Cosmos</c>).</summary>
    public CosmosSourceOptions Cosmos { get; set; } = new();
}

/// <summary>All configured sources, keyed by source id (<c>SnapshotService:Sources</c>).</summary>
public sealed class SourcesOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "SnapshotService:Sources";

    /// <summary>The deterministic simulated source.</summary>
    public const string SimulatedKind = "simulated";

    /// <summary>A MongoDB collection (change streams + lock-free backfill).</summary>
    public const string MongoKind = "mongodb";


    /// <summary>A Cosmos DB container (change feed per feed range).</summary>
    public const string CosmosKind = "cosmosdb";

    /// <summary>The kinds this host can create, for messages.</summary>
    public const string SupportedKinds = "'simulated', 'mongodb' or 'cosmosdb'";

    /// <summary>Sources by id.</summary>
    public Dictionary<string, SourceSettings> Sources { get; } = new(StringComparer.Ordinal);
}
