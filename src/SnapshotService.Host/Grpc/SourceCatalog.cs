using SnapshotService.Errors;
using SnapshotService.Sources;

namespace SnapshotService.Host.Grpc;

/// <summary>
/// Checks a request's source_id before any grain is touched: a malformed id never activates a
/// grain (ids become storage paths), and an unknown one gets NOT_FOUND listing what exists.
/// </summary>
internal sealed class SourceCatalog(IChangeSourceFactory factory)
{
    public IReadOnlyList<string> SourceIds => factory.SourceIds;

    /// <summary>Returns <paramref name="sourceId"/> when it is well-formed and configured; throws a refusal otherwise.</summary>
    public string RequireConfigured(string? sourceId)
    {
        var problem = SnapshotService.SourceIds.Check(sourceId);
        if (problem is not null)
        {
            throw SnapshotServiceException.InvalidArgument("source_id", problem);
        }
        if (factory.KindOf(sourceId!) is null)
        {
            var configured = factory.SourceIds.Count == 0 ? "(none)" : string.Join(", ", factory.SourceIds);
            throw SnapshotServiceException.NotFound($"source '{sourceId}' is not configured; configured sources: {configured}", "source_id");
        }
        return sourceId!;
    }
}
