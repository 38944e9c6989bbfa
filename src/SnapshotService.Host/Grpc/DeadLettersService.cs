using Grpc.Core;
using SnapshotService.DeadLetters;
using SnapshotService.Errors;
using SnapshotService.Grains;
using SnapshotService.Storage;
using V1 = SnapshotService.Api.V1;

namespace SnapshotService.Host.Grpc;

/// <summary>
/// snapshotservice.v1.DeadLetters. Listing and discarding read and delete files of the export
/// store; retries go through the source's grain, because a retried document is a commit.
/// </summary>
internal sealed class DeadLettersService(SourceCatalog catalog, IGrainFactory grains, IObjectStore store) : V1.DeadLetters.DeadLettersBase
{
    private const int MaxIdsPerCall = 1_000;
    private const int DefaultPageSize = 100;

    public override async Task<V1.ListDeadLettersResponse> ListDeadLetters(V1.ListDeadLettersRequest request, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        if (request.PageSize is < 0 or > MaxIdsPerCall)
        {
            throw SnapshotServiceException.InvalidArgument("page_size", $"page_size must be between 1 and {MaxIdsPerCall} (0 means {DefaultPageSize}); it was {request.PageSize}.");
        }
        if (request.PageToken.Length > 0 && !DeadLetterStore.IsValidId(request.PageToken))
        {
            throw SnapshotServiceException.InvalidArgument("page_token", "page_token is not one this service returned; pass next_page_token from the previous page unchanged.");
        }
        var pageSize = request.PageSize == 0 ? DefaultPageSize : request.PageSize;
        var response = new V1.ListDeadLettersResponse();
        await foreach (var letter in new DeadLetterStore(store, sourceId).ListAsync(request.PageToken.Length == 0 ? null : request.PageToken, context.CancellationToken))
        {
            if (response.DeadLetters.Count == pageSize)
            {
                response.NextPageToken = response.DeadLetters[^1].Id;
                break;
            }
            response.DeadLetters.Add(letter.ToApi(request.IncludePayload));
        }
        return response;
    }

    public override async Task<V1.RetryDeadLettersResponse> RetryDeadLetters(V1.RetryDeadLettersRequest request, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        if (request.All == (request.Ids.Count > 0))
        {
            throw SnapshotServiceException.InvalidArgument("ids", "name the dead letters to retry in ids, or set all = true (not both).");
        }
        var ids = request.All ? await FirstIdsAsync(sourceId, context.CancellationToken) : RequireIds(request.Ids);
        var results = await grains.GetGrain<ISourceGrain>(sourceId).RetryDeadLettersAsync(ids);
        return results.ToApi();
    }

    public override async Task<V1.DiscardDeadLettersResponse> DiscardDeadLetters(V1.DiscardDeadLettersRequest request, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        var letters = new DeadLetterStore(store, sourceId);
        var response = new V1.DiscardDeadLettersResponse();
        foreach (var id in RequireIds(request.Ids))
        {
            if (await letters.DeleteAsync(id, context.CancellationToken))
            {
                response.Discarded++;
            }
            else
            {
                response.NotFound.Add(id);
            }
        }
        return response;
    }

    private static List<string> RequireIds(IReadOnlyCollection<string> ids)
    {
        if (ids.Count is 0 or > MaxIdsPerCall)
        {
            throw SnapshotServiceException.InvalidArgument("ids", $"ids must name 1 to {MaxIdsPerCall} dead letters (from ListDeadLetters); it named {ids.Count}.");
        }
        foreach (var id in ids)
        {
            if (!DeadLetterStore.IsValidId(id))
            {
                throw SnapshotServiceException.InvalidArgument("ids", $"ids contains '{id}', which is not a dead-letter id (20 digits, '-', 16 lowercase hex digits, as listed by ListDeadLetters).");
            }
        }
        return [.. ids.Distinct(StringComparer.Ordinal)];
    }

    private async Task<List<string>> FirstIdsAsync(string sourceId, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        await foreach (var letter in new DeadLetterStore(store, sourceId).ListAsync(null, cancellationToken))
        {
            ids.Add(letter.Id);
            if (ids.Count == MaxIdsPerCall)
            {
                break;
            }
        }
        return ids;
    }
}
