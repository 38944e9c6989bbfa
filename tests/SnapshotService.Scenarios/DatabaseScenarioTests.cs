using Xunit.Abstractions;

namespace SnapshotService.Scenarios;

/// <summary>
/// The scenarios on the database sources: a real host process captures the MongoDB wire-protocol
/// test server or the Cosmos DB gateway test server (not a real mongod or Cosmos account) while a
/// writer in the test keeps writing; rows are named "mongodb: …" / "cosmosdb: …" in the same
/// results table as the simulated ones. Lost is computed against what the driver/SDK reads from
/// the server at the end, and a full reconciliation must find no drift outside dead letters.
/// </summary>
[Collection(ScenarioResultsFile.Collection)]
public sealed class DatabaseScenarioTests(ITestOutputHelper output)
{
    private static readonly ScenarioSize Size = ScenarioSize.Current;

    [Theory]
    [InlineData("mongodb")]
    [InlineData("cosmosdb")]
    public async Task a_2x_traffic_spike_on_a_database_source_is_absorbed_and_nothing_is_lost(string kind)
    {
        await using var run = await DatabaseScenarioRun.StartAsync(Size, kind, new WriterPlan(SpikeFactor: 2));
        await run.SampleUntilCaughtUpAsync();
        await ReportAsync(await run.ResultAsync("2x traffic spike", Size.FaultAfterSeconds + Size.FaultSeconds, $"{Size.Seconds(Size.FaultSeconds)} s at 2x"));
    }

    [Theory]
    [InlineData("mongodb")]
    [InlineData("cosmosdb")]
    public async Task a_partitioned_database_source_is_caught_up_after_it_returns_and_nothing_is_lost(string kind)
    {
        await using var run = await DatabaseScenarioRun.StartAsync(Size, kind, new WriterPlan());
        await run.SampleUntilWriterSecondAsync(Size.FaultAfterSeconds);
        run.Proxy.Cut();
        await run.SampleUntilWriterSecondAsync(Size.FaultAfterSeconds + Size.FaultSeconds);
        run.Proxy.Heal();
        var healedAt = run.WriterSeconds;
        await run.SampleUntilCaughtUpAsync();
        var (result, drift) = await run.ResultAsync("source disconnected", healedAt,
            $"TCP proxy reset all host↔server connections and refused new ones for {Size.Seconds(Size.FaultSeconds)} s ({run.Proxy.Refused} refused); writes went on");
        await ReportAsync((result, drift));
        Assert.True(result.MaxLagSeconds >= Size.FaultSeconds / 2, $"the partition should have put capture behind (max lag {result.MaxLagSeconds:0.0} s)");
    }

    [Theory]
    [InlineData("mongodb")]
    [InlineData("cosmosdb")]
    public async Task a_schema_change_mid_stream_on_a_database_source_is_captured_and_reported(string kind)
    {
        await using var run = await DatabaseScenarioRun.StartAsync(Size, kind, new WriterPlan(SchemaChangeAtSecond: Size.RunSeconds / 2));
        await run.SampleUntilCaughtUpAsync();
        using var schema = await run.Host.Http.GetAsync(new Uri($"/v1/sources/{DatabaseScenarioRun.SourceId}/schema", UriKind.Relative));
        var body = await schema.Content.ReadAsStringAsync();
        Assert.True(schema.IsSuccessStatusCode, body);
        Assert.Contains($"\"{ScenarioDatabase.NewField}\"", body, StringComparison.Ordinal);
        await ReportAsync(await run.ResultAsync("schema change mid-stream", null, $"writer adds field {ScenarioDatabase.NewField} at the midpoint; schema shows it"));
    }

    [Theory]
    [InlineData("mongodb")]
    [InlineData("cosmosdb")]
    public async Task poison_documents_on_a_database_source_are_dead_lettered_and_capture_keeps_moving(string kind)
    {
        var settings = new Dictionary<string, string> { ["SnapshotService:Capture:MaxDocumentBytes"] = "4096" };
        await using var run = await DatabaseScenarioRun.StartAsync(Size, kind, new WriterPlan(PoisonPerMille: 10), settings);
        await run.SampleUntilCaughtUpAsync();
        var (result, drift) = await run.ResultAsync("poison documents", null, $"1% of upserts padded to {ScenarioDatabase.PoisonPadBytes / 1024} KiB vs MaxDocumentBytes 4096");
        await ReportAsync((result, drift));
        Assert.True(result.DeadLetters > 0, "poison documents should have been dead-lettered");
    }

    private async Task ReportAsync((ScenarioResult Result, long Drift) outcome)
    {
        await ScenarioResultsFile.ReportAsync(output, outcome.Result);
        Assert.True(outcome.Drift == 0, $"the full reconciliation found drift outside dead letters: {outcome.Result.Note}");
    }
}
