using System.Net;
using Grpc.Core;
using SnapshotService.Api.V1;

namespace SnapshotService.Host.Tests;

/// <summary>Bad input to the Reconciliation service, over gRPC and JSON/HTTP: the right status, naming the field.</summary>
[Collection(HostCollection.Name)]
public sealed class ReconciliationValidationTests(HostFixture host)
{
    private const string Id = HostFixture.SourceId;
    private const string Malformed = "drift-NOT-AN-ID";

    [Fact]
    public async Task a_bad_mode_is_invalid_argument_naming_mode()
    {
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "mode",
            async () => await host.Reconciliation.RunReconciliationAsync(new RunReconciliationRequest { SourceId = Id, Mode = "sometimes", DryRun = true }));
        (await host.Http.PostJsonAsync($"/v1/sources/{Id}/reconciliations", "{\"mode\":\"sometimes\",\"dryRun\":true}"))
            .AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "mode");
    }

    [Fact]
    public async Task a_streaming_run_with_a_bad_mode_is_invalid_argument_naming_mode()
    {
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "mode", async () =>
        {
            using var call = host.Reconciliation.RunReconciliationStream(new RunReconciliationRequest { SourceId = Id, Mode = "weekly", DryRun = true });
            await foreach (var _ in call.ResponseStream.ReadAllAsync())
            {
            }
        });
    }

    [Fact]
    public async Task a_malformed_report_id_is_invalid_argument_naming_report_id()
    {
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "report_id",
            async () => await host.Reconciliation.GetDriftReportAsync(new GetDriftReportRequest { SourceId = Id, ReportId = Malformed }));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "report_id",
            async () => await host.Reconciliation.ListDriftKeysAsync(new ListDriftKeysRequest { SourceId = Id, ReportId = Malformed, Category = "missing_in_export" }));
        (await host.Http.GetJsonAsync($"/v1/sources/{Id}/driftReports/{Malformed}"))
            .AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "report_id");
    }

    [Fact]
    public async Task an_unknown_report_is_not_found_naming_the_report()
    {
        await RpcAssert.FailsAsync(StatusCode.NotFound, ApiCalls.UnknownReportId,
            async () => await host.Reconciliation.GetDriftReportAsync(new GetDriftReportRequest { SourceId = Id, ReportId = ApiCalls.UnknownReportId }));
        (await host.Http.GetJsonAsync($"/v1/sources/{Id}/driftReports/{ApiCalls.UnknownReportId}/keys?category=content_mismatch"))
            .AssertError(HttpStatusCode.NotFound, StatusCode.NotFound, ApiCalls.UnknownReportId);
    }

    [Fact]
    public async Task a_page_size_out_of_range_is_invalid_argument_naming_page_size()
    {
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "page_size",
            async () => await host.Reconciliation.ListDriftReportsAsync(new ListDriftReportsRequest { SourceId = Id, PageSize = 5000 }));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "page_size",
            async () => await host.Reconciliation.ListDriftEpisodesAsync(new ListDriftEpisodesRequest { SourceId = Id, PageSize = -1 }));
        (await host.Http.GetJsonAsync($"/v1/sources/{Id}/driftReports?page_size=5000"))
            .AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "page_size");
    }

    [Fact]
    public async Task a_bad_category_is_invalid_argument_naming_category()
    {
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "category",
            async () => await host.Reconciliation.ListDriftKeysAsync(new ListDriftKeysRequest { SourceId = Id, ReportId = ApiCalls.UnknownReportId, Category = "missing" }));
        (await host.Http.GetJsonAsync($"/v1/sources/{Id}/driftReports/{ApiCalls.UnknownReportId}/keys?category=missing"))
            .AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "category");
    }

    [Fact]
    public async Task a_negative_min_times_seen_is_invalid_argument_naming_it()
    {
        (await host.Http.GetJsonAsync($"/v1/sources/{Id}/driftEpisodes?min_times_seen=-2"))
            .AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "min_times_seen");
    }
}
