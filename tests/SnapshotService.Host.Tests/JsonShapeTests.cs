using System.Net;
using System.Text.Json;

namespace SnapshotService.Host.Tests;

/// <summary>The JSON shape docs/api.md promises: proto3 JSON (lowerCamelCase, 64-bit integers as strings, RFC 3339 times, enum names).</summary>
[Collection(HostCollection.Name)]
public sealed class JsonShapeTests(HostFixture host)
{
    [Fact]
    public async Task source_json_uses_lower_camel_case_names_and_uint64_strings()
    {
        await host.WaitForCommittedAsync(HostFixture.SourceId, 1);

        var (status, body) = await host.Http.GetJsonAsync($"/v1/sources/{HostFixture.SourceId}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(
            ["sourceId", "kind", "state", "failureReason", "committedSeq", "commitCount", "positionSummary", "lagSeconds", "lastCommitTime", "changesPerSecond", "description", "backfill", "recentEvents", "silo", "writerId", "positionAgeSeconds", "lagBudgetSeconds", "rangeLags"],
            body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.String, body.GetProperty("committedSeq").ValueKind);
        Assert.Equal(JsonValueKind.String, body.GetProperty("commitCount").ValueKind);
        Assert.Equal(JsonValueKind.Number, body.GetProperty("lagSeconds").ValueKind);
        Assert.EndsWith("Z", body.GetProperty("lastCommitTime").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("SOURCE_STATE_", body.GetProperty("state").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task requests_accept_proto_field_names_and_numbers_for_uint64()
    {
        await host.WaitForCommittedAsync(HostFixture.SourceId, 2);

        var (status, body) = await host.Http.PostJsonAsync($"/v1/sources/{HostFixture.SourceId}/snapshots", """{"label":"snake","at_sequence":2}""");

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal("2", body.GetProperty("sequence").GetString());
        Assert.Equal("snake", body.GetProperty("label").GetString());
    }

    [Fact]
    public async Task errors_are_json_with_grpc_code_message_and_details()
    {
        var (status, body) = await host.Http.GetJsonAsync("/v1/sources/nope");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(["code", "message", "details"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(5, body.GetProperty("code").GetInt32());
        Assert.Equal(JsonValueKind.Array, body.GetProperty("details").ValueKind);
    }

    [Fact]
    public async Task malformed_json_body_is_400()
    {
        var (status, _) = await host.Http.PostJsonAsync($"/v1/sources/{HostFixture.SourceId}/snapshots", """{"atSequence": "not a number"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }
}
