using System.Collections.Concurrent;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;
using SnapshotService.Errors;
using SnapshotService.Host.Sources;
using SnapshotService.Restore;
using SnapshotService.Sources.Cosmos;

namespace SnapshotService.Host.Restore;

/// <summary>
/// Resolves a request's target string to an <see cref="IRestoreTarget"/>: "file:NAME" (a directory
/// of JSON files under SnapshotService:Restore:Directory) or "cosmosdb:SOURCE_ID/CONTAINER" (a
/// container in the same account and database as the configured Cosmos DB source).
/// </summary>
internal sealed class RestoreTargets(IOptions<RestoreOptions> options, IOptions<SourcesOptions> sources) : IDisposable
{
    private const string FileScheme = "file:";
    private const string CosmosScheme = "cosmosdb:";

    // One SDK client per source for restores (a client holds connections and background work).
    private readonly ConcurrentDictionary<string, CosmosClient> _cosmosClients = new(StringComparer.Ordinal);

    public IRestoreTarget Resolve(string? target)
    {
        if (string.IsNullOrEmpty(target))
        {
            throw SnapshotServiceException.InvalidArgument("target", "target is required, e.g. file:drill (a file target under SnapshotService:Restore:Directory).");
        }
        if (target.StartsWith(CosmosScheme, StringComparison.Ordinal))
        {
            return ResolveCosmos(target);
        }
        if (!target.StartsWith(FileScheme, StringComparison.Ordinal))
        {
            throw SnapshotServiceException.InvalidArgument("target", $"target '{target}' is not supported; use file:NAME (MongoDB and Cosmos DB targets come with those sources).");
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
    /// cosmosdb:SOURCE_ID/CONTAINER: the source's account, database and credentials are reused; the
    /// container must exist with the source's partition key path. The source's own container is
    /// refused: a restore would overwrite the data being captured, and capture would record it.
    /// </summary>
    private CosmosRestoreTarget ResolveCosmos(string target)
    {
        var rest = target[CosmosScheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == rest.Length - 1)
        {
            throw SnapshotServiceException.InvalidArgument("target", $"target '{target}' needs the form cosmosdb:SOURCE_ID/CONTAINER, e.g. cosmosdb:orders/orders-restore.");
        }
        var sourceId = rest[..slash];
        var container = rest[(slash + 1)..];
        if (!sources.Value.Sources.TryGetValue(sourceId, out var settings))
        {
            throw SnapshotServiceException.InvalidArgument("target", $"target '{target}' names source '{sourceId}', which is not configured; configured sources: {string.Join(", ", sources.Value.Sources.Keys)}.");
        }
        if (!string.Equals(settings.Kind, SourcesOptions.CosmosKind, StringComparison.Ordinal))
        {
            throw SnapshotServiceException.InvalidArgument("target", $"target '{target}' names source '{sourceId}' of kind '{settings.Kind}'; a cosmosdb: target needs a source of kind 'cosmosdb' (its account and database are used).");
        }
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
}
