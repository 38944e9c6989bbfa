using Grpc.Core;
using SnapshotService.Errors;
using SnapshotService.Grains;
using SnapshotService.Reconciliation.Reports;
using V1 = SnapshotService.Api.V1;

namespace SnapshotService.Host.Grpc;

/// <summary>
/// snapshotservice.v1.Reconciliation. Running goes through the source's reconciliation grain (one
/// run per source at a time); reports, keys and episodes are read straight from the export store:
/// reports are immutable once visible, so reads never queue behind a running reconciliation.
/// </summary>
internal sealed partial class ReconciliationService(SourceCatalog catalog, IGrainFactory grains, DriftReportStore reports) : V1.Reconciliation.ReconciliationBase
{
    private readonly DriftEpisodes _episodes = new(reports.Store);

    public override async Task<V1.DriftReport> RunReconciliation(V1.RunReconciliationRequest request, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        var command = new ReconcileCommand(ReconciliationMapping.ParseMode(request.Mode), request.DryRun);
        var outcome = await grains.GetGrain<IReconciliationGrain>(sourceId).RunAsync(command);
        var report = await reports.GetAsync(sourceId, outcome.ReportId, context.CancellationToken);
        return report.ToApi();
    }

    public override async Task<V1.DriftReport> GetDriftReport(V1.GetDriftReportRequest request, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        var report = await reports.GetAsync(sourceId, request.ReportId, context.CancellationToken);
        return report.ToApi();
    }

    public override async Task<V1.ListDriftReportsResponse> ListDriftReports(V1.ListDriftReportsRequest request, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        var query = new DriftReportQuery(
            request.OnlyDrift,
            request.Since is null ? null : ReconciliationMapping.ToTime(request.Since, "since"),
            request.PageSize,
            NullIfEmpty(request.PageToken));
        var page = await reports.ListAsync(sourceId, query, context.CancellationToken);
        var response = new V1.ListDriftReportsResponse { NextPageToken = page.NextPageToken ?? string.Empty };
        response.Reports.AddRange(page.Reports.Select(r => r.ToApi()));
        return response;
    }

    public override async Task<V1.ListDriftKeysResponse> ListDriftKeys(V1.ListDriftKeysRequest request, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        if (DriftReportIds.Check(request.ReportId) is { } problem)
        {
            throw SnapshotServiceException.InvalidArgument("report_id", problem);
        }
        var category = DriftCategoryNames.Parse(request.Category, "category");
        var page = await reports.ListKeysAsync(sourceId, request.ReportId, category, request.PageSize, NullIfEmpty(request.PageToken), context.CancellationToken);
        var response = new V1.ListDriftKeysResponse { Total = (ulong)Math.Max(0, page.Total), NextPageToken = page.NextPageToken ?? string.Empty };
        response.Keys.AddRange(page.Items.Select(i => i.ToApi()));
        return response;
    }

    public override async Task<V1.ListDriftEpisodesResponse> ListDriftEpisodes(V1.ListDriftEpisodesRequest request, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        var page = await _episodes.ListAsync(sourceId, request.MinTimesSeen, request.PageSize, NullIfEmpty(request.PageToken), context.CancellationToken);
        var response = new V1.ListDriftEpisodesResponse { NextPageToken = page.NextPageToken ?? string.Empty };
        response.Episodes.AddRange(page.Episodes.Select(e => e.ToApi()));
        return response;
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
