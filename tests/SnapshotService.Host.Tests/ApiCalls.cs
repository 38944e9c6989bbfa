using SnapshotService.Api.V1;

namespace SnapshotService.Host.Tests;

/// <summary>
/// Every method that takes a source_id, callable over gRPC and over JSON/HTTP, so input checks
/// can be asserted for all of them with one theory.
/// </summary>
public static class ApiCalls
{
    public static readonly IReadOnlyDictionary<string, Func<HostFixture, string, Task>> Grpc = new Dictionary<string, Func<HostFixture, string, Task>>
    {
        ["GetSource"] = async (f, id) => await f.Sources.GetSourceAsync(new GetSourceRequest { SourceId = id }),
        ["PauseSource"] = async (f, id) => await f.Sources.PauseSourceAsync(new PauseSourceRequest { SourceId = id }),
        ["ResumeSource"] = async (f, id) => await f.Sources.ResumeSourceAsync(new ResumeSourceRequest { SourceId = id }),
        ["VerifyLog"] = async (f, id) => await f.Sources.VerifyLogAsync(new VerifyLogRequest { SourceId = id }),
        ["CreateSnapshot"] = async (f, id) => await f.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = id }),
        ["GetSnapshot"] = async (f, id) => await f.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SourceId = id, SnapshotId = "snap-00000000000000000000000000" }),
        ["ListSnapshots"] = async (f, id) => await f.Snapshots.ListSnapshotsAsync(new ListSnapshotsRequest { SourceId = id }),
        ["MaterializeSnapshot"] = (f, id) => ViewCalls.MaterializeAsync(f, id, UnknownSnapshotId, "jsonl"),
        ["DeleteSnapshot"] = async (f, id) => await f.Snapshots.DeleteSnapshotAsync(new DeleteSnapshotRequest { SourceId = id, SnapshotId = UnknownSnapshotId }),
        ["RestoreSnapshot"] = (f, id) => ViewCalls.RestoreAsync(f, id, UnknownSnapshotId, "file:never"),
        ["ReadViewFile"] = (f, id) => ViewCalls.ReadViewFileAsync(f, id, UnknownSnapshotId, "jsonl", "manifest.json"),
        ["RunReconciliation"] = async (f, id) => await f.Reconciliation.RunReconciliationAsync(new RunReconciliationRequest { SourceId = id, Mode = "full", DryRun = true }),
        ["GetDriftReport"] = async (f, id) => await f.Reconciliation.GetDriftReportAsync(new GetDriftReportRequest { SourceId = id, ReportId = UnknownReportId }),
        ["ListDriftReports"] = async (f, id) => await f.Reconciliation.ListDriftReportsAsync(new ListDriftReportsRequest { SourceId = id }),
        ["ListDriftKeys"] = async (f, id) => await f.Reconciliation.ListDriftKeysAsync(new ListDriftKeysRequest { SourceId = id, ReportId = UnknownReportId, Category = "missing_in_export" }),
        ["ListDriftEpisodes"] = async (f, id) => await f.Reconciliation.ListDriftEpisodesAsync(new ListDriftEpisodesRequest { SourceId = id }),
        ["GetSchema"] = async (f, id) => await f.Schemas.GetSchemaAsync(new GetSchemaRequest { SourceId = id }),
        ["DiffSchemas"] = async (f, id) => await f.Schemas.DiffSchemasAsync(new DiffSchemasRequest { SourceId = id, FromSnapshotId = UnknownSnapshotId }),
        ["GetContract"] = async (f, id) => await f.Schemas.GetContractAsync(new GetContractRequest { SourceId = id }),
        ["SetContract"] = async (f, id) => await f.Schemas.SetContractAsync(new SetContractRequest { SourceId = id, JsonSchema = "{}", Policy = "flag" }),
        ["DeleteContract"] = async (f, id) => await f.Schemas.DeleteContractAsync(new DeleteContractRequest { SourceId = id }),
        ["ListDeadLetters"] = async (f, id) => await f.DeadLetters.ListDeadLettersAsync(new ListDeadLettersRequest { SourceId = id }),
        ["RetryDeadLetters"] = async (f, id) => await f.DeadLetters.RetryDeadLettersAsync(new RetryDeadLettersRequest { SourceId = id, Ids = { UnknownDeadLetterId } }),
        ["DiscardDeadLetters"] = async (f, id) => await f.DeadLetters.DiscardDeadLettersAsync(new DiscardDeadLettersRequest { SourceId = id, Ids = { UnknownDeadLetterId } }),
    };

    public static readonly IReadOnlyDictionary<string, Func<HttpClient, string, Task<(System.Net.HttpStatusCode, System.Text.Json.JsonElement)>>> Http =
        new Dictionary<string, Func<HttpClient, string, Task<(System.Net.HttpStatusCode, System.Text.Json.JsonElement)>>>
        {
            ["GetSource"] = (h, id) => h.GetJsonAsync($"/v1/sources/{HttpApi.Segment(id)}"),
            ["PauseSource"] = (h, id) => h.PostJsonAsync($"/v1/sources/{HttpApi.Segment(id)}:pause"),
            ["ResumeSource"] = (h, id) => h.PostJsonAsync($"/v1/sources/{HttpApi.Segment(id)}:resume"),
            ["VerifyLog"] = (h, id) => h.PostJsonAsync($"/v1/sources/{HttpApi.Segment(id)}:verifyLog"),
            ["CreateSnapshot"] = (h, id) => h.PostJsonAsync($"/v1/sources/{HttpApi.Segment(id)}/snapshots"),
            ["GetSnapshot"] = (h, id) => h.GetJsonAsync($"/v1/sources/{HttpApi.Segment(id)}/snapshots/snap-00000000000000000000000000"),
            ["ListSnapshots"] = (h, id) => h.GetJsonAsync($"/v1/sources/{HttpApi.Segment(id)}/snapshots"),
            ["MaterializeSnapshot"] = (h, id) => h.PostJsonAsync($"/v1/sources/{HttpApi.Segment(id)}/snapshots/{UnknownSnapshotId}:materialize", "{\"format\":\"jsonl\"}"),
            ["DeleteSnapshot"] = (h, id) => h.DeleteJsonAsync($"/v1/sources/{HttpApi.Segment(id)}/snapshots/{UnknownSnapshotId}"),
            ["RestoreSnapshot"] = (h, id) => h.PostJsonAsync($"/v1/sources/{HttpApi.Segment(id)}/snapshots/{UnknownSnapshotId}:restore", "{\"target\":\"file:never\"}"),
            // gRPC only; the HTTP theory calls GetSnapshot's route again so the key sets stay equal.
            ["ReadViewFile"] = (h, id) => h.GetJsonAsync($"/v1/sources/{HttpApi.Segment(id)}/snapshots/{UnknownSnapshotId}"),
            ["RunReconciliation"] = (h, id) => h.PostJsonAsync($"/v1/sources/{HttpApi.Segment(id)}/reconciliations", "{\"mode\":\"full\",\"dryRun\":true}"),
            ["GetDriftReport"] = (h, id) => h.GetJsonAsync($"/v1/sources/{HttpApi.Segment(id)}/driftReports/{UnknownReportId}"),
            ["ListDriftReports"] = (h, id) => h.GetJsonAsync($"/v1/sources/{HttpApi.Segment(id)}/driftReports"),
            ["ListDriftKeys"] = (h, id) => h.GetJsonAsync($"/v1/sources/{HttpApi.Segment(id)}/driftReports/{UnknownReportId}/keys?category=missing_in_export"),
            ["ListDriftEpisodes"] = (h, id) => h.GetJsonAsync($"/v1/sources/{HttpApi.Segment(id)}/driftEpisodes"),
            ["GetSchema"] = (h, id) => h.GetJsonAsync($"/v1/sources/{HttpApi.Segment(id)}/schema"),
            ["DiffSchemas"] = (h, id) => h.GetJsonAsync($"/v1/sources/{HttpApi.Segment(id)}/schema:diff?fromSnapshotId={UnknownSnapshotId}"),
            ["GetContract"] = (h, id) => h.GetJsonAsync($"/v1/sources/{HttpApi.Segment(id)}/contract"),
            ["SetContract"] = (h, id) => h.PutJsonAsync($"/v1/sources/{HttpApi.Segment(id)}/contract", "{\"jsonSchema\":\"{}\",\"policy\":\"flag\"}"),
            ["DeleteContract"] = (h, id) => h.DeleteJsonAsync($"/v1/sources/{HttpApi.Segment(id)}/contract"),
            ["ListDeadLetters"] = (h, id) => h.GetJsonAsync($"/v1/sources/{HttpApi.Segment(id)}/deadletters"),
            ["RetryDeadLetters"] = (h, id) => h.PostJsonAsync($"/v1/sources/{HttpApi.Segment(id)}/deadletters:retry", $"{{\"ids\":[\"{UnknownDeadLetterId}\"]}}"),
            ["DiscardDeadLetters"] = (h, id) => h.PostJsonAsync($"/v1/sources/{HttpApi.Segment(id)}/deadletters:discard", $"{{\"ids\":[\"{UnknownDeadLetterId}\"]}}"),
        };

    /// <summary>A well-formed snapshot id that no call created.</summary>
    public const string UnknownSnapshotId = "snap-00000000000000000000000000";

    /// <summary>A well-formed dead-letter id that no capture wrote.</summary>
    public const string UnknownDeadLetterId = "00000000000000000000-0000000000000000";

    /// <summary>A well-formed drift report id that no run created.</summary>
    public const string UnknownReportId = "drift-00000000000000000000000000";

    public static readonly string[] MalformedSourceIds = ["Bad/Id", "bad/id", "UPPER", new string('a', 64), ".hidden", "sp ace"];

    public static TheoryData<string, string> MethodsTimesMalformedIds()
    {
        var data = new TheoryData<string, string>();
        foreach (var method in Grpc.Keys)
        {
            foreach (var id in MalformedSourceIds)
            {
                data.Add(method, id);
            }
        }
        return data;
    }

    public static TheoryData<string> Methods() => [.. Grpc.Keys];
}
