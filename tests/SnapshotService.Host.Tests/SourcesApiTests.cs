using System.Net;
using SnapshotService.Api.V1;

namespace SnapshotService.Host.Tests;

[Collection(HostCollection.Name)]
public sealed class SourcesApiTests(HostFixture host)
{
    [Fact]
    public async Task list_sources_returns_every_configured_source_over_grpc()
    {
        var response = await host.Sources.ListSourcesAsync(new ListSourcesRequest());

        Assert.Equal([HostFixture.SourceId, HostFixture.PausableSourceId], response.Sources.Select(s => s.SourceId));
        Assert.All(response.Sources, s => Assert.Equal("simulated", s.Kind));
    }

    [Fact]
    public async Task list_sources_returns_every_configured_source_over_http()
    {
        var response = await host.Http.GetJsonAsync("/v1/sources");

        response.AssertOk();
        var ids = response.Body.GetProperty("sources").EnumerateArray().Select(s => s.GetProperty("sourceId").GetString());
        Assert.Equal([HostFixture.SourceId, HostFixture.PausableSourceId], ids);
    }

    [Fact]
    public async Task committed_seq_grows_while_the_source_runs()
    {
        var first = await host.WaitForCommittedAsync(HostFixture.SourceId, 1);
        var later = await host.WaitForCommittedAsync(HostFixture.SourceId, first.CommittedSeq + 1);

        Assert.True(later.CommittedSeq > first.CommittedSeq);
        Assert.True(later.CommitCount >= first.CommitCount);
        Assert.Equal(SourceState.Running, later.State);
        Assert.NotNull(later.LastCommitTime);
        Assert.False(string.IsNullOrEmpty(later.PositionSummary));
    }

    [Fact]
    public async Task get_source_over_http_shows_the_same_source()
    {
        await host.WaitForCommittedAsync(HostFixture.SourceId, 1);

        var response = await host.Http.GetJsonAsync($"/v1/sources/{HostFixture.SourceId}");

        response.AssertOk();
        Assert.Equal(HostFixture.SourceId, response.Body.GetProperty("sourceId").GetString());
        Assert.Equal("SOURCE_STATE_RUNNING", response.Body.GetProperty("state").GetString());
        Assert.True(ulong.Parse(response.Body.GetProperty("committedSeq").GetString()!, System.Globalization.CultureInfo.InvariantCulture) >= 1);
    }

    [Fact]
    public async Task pause_keeps_the_position_and_resume_continues_over_grpc()
    {
        var id = HostFixture.PausableSourceId;
        await host.WaitForCommittedAsync(id, 1);
        try
        {
            var paused = await host.Sources.PauseSourceAsync(new PauseSourceRequest { SourceId = id });
            Assert.Equal(SourceState.Paused, paused.State);

            // Pause commits what was read before it returns, so nothing moves afterwards.
            var stillPaused = await host.Sources.GetSourceAsync(new GetSourceRequest { SourceId = id });
            Assert.Equal(SourceState.Paused, stillPaused.State);
            Assert.Equal(paused.CommittedSeq, stillPaused.CommittedSeq);

            var resumed = await host.Sources.ResumeSourceAsync(new ResumeSourceRequest { SourceId = id });
            Assert.NotEqual(SourceState.Paused, resumed.State);
            await host.WaitForCommittedAsync(id, paused.CommittedSeq + 1);
        }
        finally
        {
            await host.Sources.ResumeSourceAsync(new ResumeSourceRequest { SourceId = id });
        }
    }

    [Fact]
    public async Task pause_and_resume_over_http()
    {
        var id = HostFixture.PausableSourceId;
        try
        {
            var paused = await host.Http.PostJsonAsync($"/v1/sources/{id}:pause");
            paused.AssertOk();
            Assert.Equal("SOURCE_STATE_PAUSED", paused.Body.GetProperty("state").GetString());

            var resumed = await host.Http.PostJsonAsync($"/v1/sources/{id}:resume");
            resumed.AssertOk();
            Assert.NotEqual("SOURCE_STATE_PAUSED", resumed.Body.GetProperty("state").GetString());
        }
        finally
        {
            await host.Sources.ResumeSourceAsync(new ResumeSourceRequest { SourceId = id });
        }
    }

    [Fact]
    public async Task verify_log_reports_a_sound_log_over_grpc()
    {
        await host.WaitForCommittedAsync(HostFixture.SourceId, 1);

        var report = await host.Sources.VerifyLogAsync(new VerifyLogRequest { SourceId = HostFixture.SourceId });

        Assert.True(report.Ok, report.ToString());
        Assert.Equal(HostFixture.SourceId, report.SourceId);
        Assert.Equal(1UL, report.FirstSeq);
        Assert.True(report.LastSeq >= 1);
        Assert.Equal(report.LastSeq, report.Records);
        Assert.Empty(report.Gaps);
        Assert.Empty(report.DuplicateSeqs);
        Assert.Empty(report.ChecksumFailures);
    }

    [Fact]
    public async Task verify_log_over_http()
    {
        await host.WaitForCommittedAsync(HostFixture.SourceId, 1);

        var response = await host.Http.PostJsonAsync($"/v1/sources/{HostFixture.SourceId}:verifyLog");

        response.AssertOk();
        Assert.True(response.Body.GetProperty("ok").GetBoolean(), response.Body.ToString());
        Assert.Equal("1", response.Body.GetProperty("firstSeq").GetString());
    }

    [Fact]
    public async Task post_without_a_json_content_type_is_refused()
    {
        using var response = await host.Http.PostAsync($"/v1/sources/{HostFixture.PausableSourceId}:verifyLog", new ByteArrayContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task backfill_of_a_kind_that_cannot_backfill_is_refused_over_grpc_and_http_with_what_to_do_instead()
    {
        await host.WaitForCommittedAsync(HostFixture.SourceId, 1);

        var rpc = await RpcAssert.FailsAsync(global::Grpc.Core.StatusCode.FailedPrecondition, "source_id",
            () => host.Sources.BackfillSourceAsync(new BackfillSourceRequest { SourceId = HostFixture.SourceId }).ResponseAsync);
        var http = await host.Http.PostJsonAsync($"/v1/sources/{HostFixture.SourceId}:backfill", "{\"keys\": [\"a\"]}");

        Assert.Contains("cannot backfill; run a reconciliation with repair", rpc.Status.Detail, StringComparison.Ordinal);
        http.AssertError(HttpStatusCode.BadRequest, global::Grpc.Core.StatusCode.FailedPrecondition, "source_id");
    }

    [Fact]
    public async Task backfill_with_an_empty_key_is_refused_naming_keys()
    {
        var request = new BackfillSourceRequest { SourceId = HostFixture.SourceId };
        request.Keys.Add("");

        await RpcAssert.FailsAsync(global::Grpc.Core.StatusCode.InvalidArgument, "keys", () => host.Sources.BackfillSourceAsync(request).ResponseAsync);
    }
}
