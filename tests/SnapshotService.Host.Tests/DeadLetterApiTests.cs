using System.Net;
using Grpc.Core;
using SnapshotService.Api.V1;

namespace SnapshotService.Host.Tests;

/// <summary>
/// Contracts routed by policy and dead letters retried after the contract is fixed, with nothing
/// lost: in the end a full reconciliation finds the export equal to the source.
/// </summary>
[Collection(QualityHostCollection.Name)]
public sealed class DeadLetterApiTests(QualityHostFixture host)
{
    [Fact]
    public async Task violations_are_dead_lettered_then_written_on_retry_after_the_contract_is_fixed_and_nothing_is_lost()
    {
        const string id = QualityHostFixture.GuardedSourceId;
        await host.WaitForCaptureToFinishAsync(id);
        var letters = await ListAllAsync(id);
        var schemaBefore = await host.Schemas.GetSchemaAsync(new GetSchemaRequest { SourceId = id });

        Assert.NotEmpty(letters);
        Assert.All(letters, l => Assert.Equal("contract_violation", l.Reason));
        Assert.All(letters, l => Assert.Contains("version", l.Detail, StringComparison.Ordinal));
        Assert.DoesNotContain(schemaBefore.Fields, f => f.Path == "v2"); // nothing of the new shape was exported
        var stillFailing = await host.DeadLetters.RetryDeadLettersAsync(new RetryDeadLettersRequest { SourceId = id, Ids = { letters[0].Id } });
        Assert.Equal(1U, stillFailing.StillFailing);

        var fixedContract = await host.Http.PutJsonAsync($"/v1/sources/{id}/contract",
            $$"""{"jsonSchema":{{System.Text.Json.JsonSerializer.Serialize(QualityHostFixture.EitherVersionContract)}},"policy":"dead_letter"}""");
        Assert.Equal(HttpStatusCode.OK, fixedContract.Status);
        uint written = 0, superseded = 0;
        for (var round = 0; round < 10 && (await host.DeadLetters.ListDeadLettersAsync(new ListDeadLettersRequest { SourceId = id, PageSize = 1 })).DeadLetters.Count > 0; round++)
        {
            var retried = await host.DeadLetters.RetryDeadLettersAsync(new RetryDeadLettersRequest { SourceId = id, All = true });
            Assert.Equal(0U, retried.StillFailing);
            (written, superseded) = (written + retried.Written, superseded + retried.Superseded);
        }

        Assert.Equal((uint)letters.Count, written + superseded);
        Assert.Empty(await ListAllAsync(id));
        var report = await host.Reconciliation.RunReconciliationAsync(new RunReconciliationRequest { SourceId = id, Mode = "full", DryRun = true });
        Assert.Equal(0UL, report.DriftTotal);
        Assert.Contains((await host.Schemas.GetSchemaAsync(new GetSchemaRequest { SourceId = id })).Fields, f => f.Path == "v2");
    }

    [Fact]
    public async Task under_the_flag_policy_violations_are_exported_and_reported_as_events()
    {
        const string id = QualityHostFixture.FlaggedSourceId;
        var source = await host.WaitForCaptureToFinishAsync(id);
        await Eventually.TrueAsync(
            async () => (source = await host.Sources.GetSourceAsync(new GetSourceRequest { SourceId = id })).RecentEvents.Any(e => e.Kind == "contract_violations"),
            () => $"source '{id}' reports contract violations among its events (events: {string.Join(", ", source.RecentEvents.Select(e => e.Kind))})");

        Assert.Empty((await host.DeadLetters.ListDeadLettersAsync(new ListDeadLettersRequest { SourceId = id })).DeadLetters);
        var report = await host.Reconciliation.RunReconciliationAsync(new RunReconciliationRequest { SourceId = id, Mode = "full", DryRun = true });
        Assert.Equal(0UL, report.DriftTotal);
        var contract = await host.Schemas.GetContractAsync(new GetContractRequest { SourceId = id });
        Assert.Equal((true, "flag"), (contract.Present, contract.Policy));
    }

    [Theory]
    [InlineData("""{"$ref":"https://example.invalid/s.json"}""", "flag", "json_schema")]
    [InlineData("""{"type":""", "flag", "json_schema")]
    [InlineData("""{"type":"object"}""", "drop", "policy")]
    [InlineData("", "flag", "json_schema")]
    public async Task an_unusable_contract_is_refused_and_the_current_one_stays(string schema, string policy, string field)
    {
        const string id = QualityHostFixture.FlaggedSourceId;
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, field, () => host.Schemas.SetContractAsync(new SetContractRequest { SourceId = id, JsonSchema = schema, Policy = policy }).ResponseAsync);
        var contract = await host.Schemas.GetContractAsync(new GetContractRequest { SourceId = id });
        Assert.Equal(QualityHostFixture.IntegerVersionContract, contract.JsonSchema);
    }

    [Fact]
    public async Task dead_letter_requests_with_bad_input_are_refused_with_the_field_named()
    {
        const string id = QualityHostFixture.ShapesSourceId;
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "ids", () => host.DeadLetters.RetryDeadLettersAsync(new RetryDeadLettersRequest { SourceId = id }).ResponseAsync);
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "ids", () => host.DeadLetters.RetryDeadLettersAsync(new RetryDeadLettersRequest { SourceId = id, Ids = { "../x" } }).ResponseAsync);
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "page_size", () => host.DeadLetters.ListDeadLettersAsync(new ListDeadLettersRequest { SourceId = id, PageSize = 5000 }).ResponseAsync);
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "page_token", () => host.DeadLetters.ListDeadLettersAsync(new ListDeadLettersRequest { SourceId = id, PageToken = "garbage" }).ResponseAsync);
        var discard = await host.DeadLetters.DiscardDeadLettersAsync(new DiscardDeadLettersRequest { SourceId = id, Ids = { ApiCalls.UnknownDeadLetterId } });
        Assert.Equal([ApiCalls.UnknownDeadLetterId], discard.NotFound);
        var retry = await host.DeadLetters.RetryDeadLettersAsync(new RetryDeadLettersRequest { SourceId = id, Ids = { ApiCalls.UnknownDeadLetterId } });
        Assert.Equal(RetryOutcome.NotFound, Assert.Single(retry.Results).Outcome);
    }

    private async Task<List<DeadLetter>> ListAllAsync(string id)
    {
        var all = new List<DeadLetter>();
        var token = "";
        do
        {
            var page = await host.DeadLetters.ListDeadLettersAsync(new ListDeadLettersRequest { SourceId = id, PageSize = 250, PageToken = token });
            all.AddRange(page.DeadLetters);
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return all;
    }
}
