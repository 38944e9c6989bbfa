using Microsoft.Extensions.Options;
using SnapshotService.Errors;
using SnapshotService.Host.Sources;
using SnapshotService.Restore;
using SnapshotService.Sources.Mongo;

namespace SnapshotService.Host.Restore;

/// <summary>
/// Resolves a request's target string to an <see cref="IRestoreTarget"/>: "file:NAME" (a directory
/// of JSON files under SnapshotService:Restore:Directory) or "mongodb:SOURCE_ID/COLLECTION" (a
/// collection in the same database, over the same connection, as the configured MongoDB source).
/// </summary>
internal sealed class RestoreTargets(IOptions<RestoreOptions> options, IOptions<SourcesOptions> sources)
{
    private const string FileScheme = "file:";
    private const string MongoScheme = "mongodb:";
    private const string Supported = "use file:NAME or mongodb:SOURCE_ID/COLLECTION";

    public IRestoreTarget Resolve(string? target)
    {
        if (string.IsNullOrEmpty(target))
        {
            throw SnapshotServiceException.InvalidArgument("target", "target is required, e.g. file:drill (a file target under SnapshotService:Restore:Directory) or mongodb:orders/orders_restore.");
        }
        if (target.StartsWith(MongoScheme, StringComparison.Ordinal) && target.Contains('/', StringComparison.Ordinal))
        {
            return ResolveMongo(target);
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

    /// <summary>
    /// mongodb:SOURCE_ID/COLLECTION. The source's connection and database are reused so a restore
    /// needs no credentials of its own; its own collection is refused (a restore would overwrite
    /// the data being captured, and capture would then record the restore as changes).
    /// </summary>
    private MongoRestoreTarget ResolveMongo(string target)
    {
        var rest = target[MongoScheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var sourceId = rest[..slash];
        var collection = rest[(slash + 1)..];
        if (sourceId.Length == 0 || collection.Length == 0)
        {
            throw SnapshotServiceException.InvalidArgument("target", $"target '{target}' needs the form mongodb:SOURCE_ID/COLLECTION, e.g. mongodb:orders/orders_restore.");
        }
        if (!sources.Value.Sources.TryGetValue(sourceId, out var settings))
        {
            throw SnapshotServiceException.InvalidArgument("target", $"target '{target}' names source '{sourceId}', which is not configured; configured sources: {string.Join(", ", sources.Value.Sources.Keys)}.");
        }
        if (!string.Equals(settings.Kind, SourcesOptions.MongoKind, StringComparison.Ordinal))
        {
            throw SnapshotServiceException.InvalidArgument("target", $"target '{target}' names source '{sourceId}' of kind '{settings.Kind}'; a mongodb: target needs a source of kind 'mongodb' (its connection and database are used).");
        }
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
}
