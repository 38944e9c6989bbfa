using Grpc.Core;
using SnapshotService.Grains;
using V1 = SnapshotService.Api.V1;

namespace SnapshotService.Host.Grpc;

/// <summary>snapshotservice.v1.Sources: validates the request, then asks the source's grain.</summary>
internal sealed class SourcesService(SourceCatalog catalog, IGrainFactory grains) : V1.Sources.SourcesBase
{
    public override async Task<V1.ListSourcesResponse> ListSources(V1.ListSourcesRequest request, ServerCallContext context)
    {
        // One grain call per source, concurrently: the list costs one round trip, not N.
        var statuses = await Task.WhenAll(catalog.SourceIds.Select(id => Grain(id).GetStatusAsync()));
        var response = new V1.ListSourcesResponse();
        response.Sources.AddRange(statuses.Select(s => s.ToApi()));
        return response;
    }

    public override async Task<V1.Source> GetSource(V1.GetSourceRequest request, ServerCallContext context) =>
        (await Grain(catalog.RequireConfigured(request.SourceId)).GetStatusAsync()).ToApi();

    public override async Task<V1.Source> PauseSource(V1.PauseSourceRequest request, ServerCallContext context) =>
        (await Grain(catalog.RequireConfigured(request.SourceId)).PauseAsync()).ToApi();

    public override async Task<V1.Source> ResumeSource(V1.ResumeSourceRequest request, ServerCallContext context) =>
        (await Grain(catalog.RequireConfigured(request.SourceId)).ResumeAsync()).ToApi();

    public override async Task<V1.Source> BackfillSource(V1.BackfillSourceRequest request, ServerCallContext context) =>
        (await Grain(catalog.RequireConfigured(request.SourceId)).BackfillAsync(new BackfillCommand(request.Keys.Count == 0 ? null : [.. request.Keys]))).ToApi();

    public override async Task<V1.LogVerification> VerifyLog(V1.VerifyLogRequest request, ServerCallContext context) =>
        (await Grain(catalog.RequireConfigured(request.SourceId)).VerifyLogAsync()).ToApi();

    private ISourceGrain Grain(string sourceId) => grains.GetGrain<ISourceGrain>(sourceId);
}
