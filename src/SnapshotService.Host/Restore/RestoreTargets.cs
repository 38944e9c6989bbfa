using System.Collections.Concurrent;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;
using SnapshotService.Errors;
using SnapshotService.Host.Sources;
using SnapshotService.Restore;
using SnapshotService.Sources.Cosmos;
using SnapshotService.Sources.Mongo;

namespace SnapshotService.Host.Restore;

/// <summary>
/// Resolves a request's target string to an <see cref="IRestoreTarget"/>: "file:NAME" (a directory
/// of JSON files under SnapshotService:Restore:Directory), "mongodb:SOURCE_ID/COLLECTION" (a
/// collection in the same database, over the same connection, as the configured MongoDB source) or
/// "cosmosdb:SOURCE_ID/CONTAINER" (a container in the same account and database as the configured
/// Cosmos DB source).
/// </summary>
internal sealed class RestoreTargets(IOptions<RestoreOptions> options, IOptions<SourcesOptions> sources) : IDisposable
{
    private const string FileScheme = "file:";
    private const string MongoScheme = "mongodb:";
    private const string CosmosScheme = "cosmosdb:";
    private const string Supported = "use file:NAME, mongodb:SOURCE_ID/COLLECTION or cosmosdb:SOURCE_ID/CONTAINER";

    // One SDK client per source for restores (a client holds connections and background work).
    private readonly ConcurrentDictionary<string, CosmosClient> _cosmosClients = new(StringComparer.Ordinal);

    public IRestoreTarget Resolve(string? target)
    {
        if (string.IsNullOrEmpty(target))
        {
            throw SnapshotServiceException.InvalidArgument("target", "target is required, e.g. file:drill (a file target under SnapshotService:Restore:Directory), mongodb:orders/orders_restore or cosmosdb:orders/orders-restore.");
        }
        if (target.StartsWith(MongoScheme, StringComparison.Ordinal) && target.Contains('/', StringComparison.Ordinal))
        {
            return ResolveMongo(target);
        }
        if (target.StartsWith(CosmosScheme, StringComparison.Ordinal))
        {
            return ResolveCosmos(target);
        }
        if (!target.StartsWith(FileScheme, StringComparison.Ordinal))
        {
            throw SnapshotServiceException.InvalidArgument("target", $"target '{target}' is not supported; {Supported}.");
        }
        var name = target[FileScheme.Length..];
        if (SourceIds.Check(name) is { } problem)
        {
            throw SnapshotServiceException.InvalidArgument("target", $"target name '{name}' is invalid: {problem.Replace("source_id", "the name", StringComparison.Ordinal)}");
        }
        if (options.Value.Directory is not { Length: > 0 } root)
        {
            throw SnapshotServiceException.FailedPrecondition("file restore targets are off: set SnapshotService:Restore:Directory to the directory that holds them and restart.", "target");
        }
        return new FileRestoreTarget(Path.Combine(Path.GetFullPath(root), name));
    }

    public void Dispose()
    {
        foreach (var client in _cosmosClients.Values)
        {
            client.Dispose();
        }
    }

    /// <summary>
    /// mongodb:SOURCE_ID/COLLECTION. The source's connection and database are reused so a restore
    /// needs no credentials of its own; its own collection is refused (a restore would overwrite
    /// the data being captured, and capture would then record the restore as changes).
    /// </summary>
    private MongoRestoreTarget ResolveMongo(string target)
    {
        var (sourceId, collection, settings) = SourceOf(target, MongoScheme, SourcesOptions.MongoKind, "mongodb:SOURCE_ID/COLLECTION, e.g. mongodb:orders/orders_restore", "its connection and database are used");
        if (collection.StartsWith("system.", StringComparison.Ordinal) || collection.IndexOfAny(['$', '\0', '/']) >= 0 || collection.Length > 120)
        {
            throw SnapshotServiceException.InvalidArgument("target", $"target collection '{collection}' is not a valid collection name (no $ or /, not system.*, at most 120 characters).");
        }
        if (string.Equals(collection, settings.Mongo.Collection, StringComparison.Ordinal))
        {
            throw SnapshotServiceException.InvalidArgument("target", $"target '{target}' is source '{sourceId}''s own collection {settings.Mongo.Database}.{collection}; restoring into it would overwrite the data being captured. Name another collection, e.g. mongodb:{sourceId}/{collection}_restore.");
        }
        return new MongoRestoreTarget(settings.Mongo.ConnectionString!, settings.Mongo.Database!, collection, settings.Mongo.ServerSelectionTimeout);
    }

    /// <summary>
    /// cosmosdb:SOURCE_ID/CONTAINER: the source's account, database and credentials are reused; the
    /// container must exist with the source's partition key path. The source's own container is
    /// refused: a restore would overwrite the data being captured, and capture would record it.
    /// </summary>
    private CosmosRestoreTarget ResolveCosmos(string target)
    {
        var (sourceId, container, settings) = SourceOf(target, CosmosScheme, SourcesOptions.CosmosKind, "cosmosdb:SOURCE_ID/CONTAINER, e.g. cosmosdb:orders/orders-restore", "its account and database are used");
        if (container.Length > 255 || container.IndexOfAny(['/', '\\', '?', '#']) >= 0)
        {
            throw SnapshotServiceException.InvalidArgument("target", $"target container '{container}' is not a valid Cosmos DB container id (at most 255 characters, none of / \\ ? #).");
        }
        if (string.Equals(container, settings.Cosmos.Container, StringComparison.Ordinal))
        {
            throw SnapshotServiceException.InvalidArgument("target", $"target '{target}' is source '{sourceId}''s own container {settings.Cosmos.Database}/{container}; restoring into it would overwrite the data being captured. Name another container, e.g. cosmosdb:{sourceId}/{container}-restore.");
        }
        var client = _cosmosClients.GetOrAdd(sourceId, _ => CosmosClients.Create(settings.Cosmos));
        return new CosmosRestoreTarget(settings.Cosmos, container, client);
    }

    /// <summary>Splits SCHEME:SOURCE_ID/NAME and checks that the source is configured and of the kind the scheme needs.</summary>
    private (string SourceId, string Name, SourceSettings Settings) SourceOf(string target, string scheme, string kind, string form, string why)
    {
        var rest = target[scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == rest.Length - 1)
        {
            throw SnapshotServiceException.InvalidArgument("target", $"target '{target}' needs the form {form}.");
        }
        var sourceId = rest[..slash];
        if (!sources.Value.Sources.TryGetValue(sourceId, out var settings))
        {
            throw SnapshotServiceException.InvalidArgument("target", $"target '{target}' names source '{sourceId}', which is not configured; configured sources: {string.Join(", ", sources.Value.Sources.Keys)}.");
        }
        if (!string.Equals(settings.Kind, kind, StringComparison.Ordinal))
        {
            throw SnapshotServiceException.InvalidArgument("target", $"target '{target}' names source '{sourceId}' of kind '{settings.Kind}'; a {scheme} target needs a source of kind '{kind}' ({why}).");
        }
        return (sourceId, rest[(slash + 1)..], settings);
    }
}
