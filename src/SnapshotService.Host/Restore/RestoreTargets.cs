using Microsoft.Extensions.Options;
using SnapshotService.Errors;
using SnapshotService.Restore;

namespace SnapshotService.Host.Restore;

/// <summary>
/// Resolves a request's target string to an <see cref="IRestoreTarget"/>. "file:NAME" is the
/// simulated source's file target; mongodb: and cosmos: targets arrive with those sources.
/// </summary>
internal sealed class RestoreTargets(IOptions<RestoreOptions> options)
{
    private const string FileScheme = "file:";

    public IRestoreTarget Resolve(string? target)
    {
        if (string.IsNullOrEmpty(target))
        {
            throw SnapshotServiceException.InvalidArgument("target", "target is required, e.g. file:drill (a file target under SnapshotService:Restore:Directory).");
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
}
