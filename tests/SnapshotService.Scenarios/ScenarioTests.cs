using SnapshotService.Simulated;
using Xunit.Abstractions;

namespace SnapshotService.Scenarios;

/// <summary>
/// The load-and-fault scenarios (docs/reliability.md): each runs real host processes on a
/// simulated source, applies one fault, and checks that nothing is lost. They run one after
/// another (one class) so their figures do not steal CPU from each other; each prints its row of
/// the results table, and the table is also written to TestResults/scenario-results.md.
/// </summary>
[Collection(ScenarioResultsFile.Collection)]
public sealed class ScenarioTests(ITestOutputHelper output)
{
    private static readonly ScenarioSize Size = ScenarioSize.Current;

    [Fact]
    public async Task a_2x_traffic_spike_is_absorbed_and_nothing_is_lost()
    {
        var simulated = ScenarioRun.BaseSource(Size);
        simulated.Spike = new SimulatedSpikeOptions { AfterSeconds = Size.FaultAfterSeconds, Seconds = Size.FaultSeconds, Factor = 2 };
        // The spike makes the history longer: the same run time holds more changes.
        simulated.MaxChanges = (long)SimulatedRate.Of(simulated).ChangesAfter(Size.RunSeconds);
        await using var run = await ScenarioRun.StartAsync(Size, simulated);
        await run.SampleUntilFinishedAsync();
        await ReportAsync(await run.ResultAsync("2x traffic spike", Size.FaultAfterSeconds + Size.FaultSeconds, $"{Size.Seconds(Size.FaultSeconds)} s at 2x {Size.ChangesPerSecond:0}/s"));
    }

    [Fact]
    public async Task a_disconnected_source_is_caught_up_after_it_returns_and_nothing_is_lost()
    {
        var simulated = ScenarioRun.BaseSource(Size);
        simulated.Faults = new SimulatedFaultOptions { DisconnectAfterChanges = Size.FaultAfterChanges, DisconnectSeconds = Size.FaultSeconds };
        await using var run = await ScenarioRun.StartAsync(Size, simulated);
        await run.SampleUntilFinishedAsync();
        var result = await run.ResultAsync("source disconnected", Size.FaultAfterSeconds + Size.FaultSeconds, $"reads failed for {Size.Seconds(Size.FaultSeconds)} s; capture restarted with backoff");
        await ReportAsync(result);
        Assert.True(result.MaxLagSeconds >= Size.FaultSeconds / 2, $"the disconnect should have put capture behind (max lag {result.MaxLagSeconds:0.0} s)");
    }

    [Fact]
    public async Task an_unavailable_export_store_delays_capture_and_loses_nothing()
    {
        await using var run = await ScenarioRun.StartAsync(Size, ScenarioRun.BaseSource(Size));
        await run.SampleUntilSourceSecondAsync(Size.FaultAfterSeconds);
        run.SetStoreAvailable(false);
        await run.SampleUntilSourceSecondAsync(Size.FaultAfterSeconds + Size.FaultSeconds);
        run.SetStoreAvailable(true);
        var endedAt = run.SourceSeconds;
        await run.SampleUntilFinishedAsync();
        var result = await run.ResultAsync("export store unavailable", endedAt, $"export root unmounted for {Size.Seconds(Size.FaultSeconds)} s");
        await ReportAsync(result);
        Assert.True(result.MaxLagSeconds >= Size.FaultSeconds / 2, $"the outage should have put capture behind (max lag {result.MaxLagSeconds:0.0} s)");
    }

    [Fact]
    public async Task a_schema_change_mid_stream_is_captured_and_reported()
    {
        var simulated = ScenarioRun.BaseSource(Size);
        simulated.SchemaChangeAfter = simulated.MaxChanges / 2;
        await using var run = await ScenarioRun.StartAsync(Size, simulated);
        await run.SampleUntilFinishedAsync();
        using var schema = await run.Hosts[0].Http.GetAsync(new Uri($"/v1/sources/{ScenarioRun.SourceId}/schema", UriKind.Relative));
        var body = await schema.Content.ReadAsStringAsync();
        Assert.Contains("\"v2\"", body, StringComparison.Ordinal);
        await ReportAsync(await run.ResultAsync("schema change mid-stream", null, "new field v2 and version number→string at the midpoint; schema shows both"));
    }

    [Fact]
    public async Task poison_documents_are_dead_lettered_and_capture_keeps_moving()
    {
        var simulated = ScenarioRun.BaseSource(Size);
        simulated.PoisonPerMille = 5;
        await using var run = await ScenarioRun.StartAsync(Size, simulated);
        await run.SampleUntilFinishedAsync();
        var result = await run.ResultAsync("poison documents", null, "0.5% of documents are not valid JSON");
        await ReportAsync(result);
        Assert.True(result.DeadLetters > 0, "poison documents should have been dead-lettered");
    }

    [Fact]
    public async Task a_paused_and_resumed_source_catches_up_and_loses_nothing()
    {
        await using var run = await ScenarioRun.StartAsync(Size, ScenarioRun.BaseSource(Size));
        await run.SampleUntilSourceSecondAsync(Size.FaultAfterSeconds);
        await run.PostAsync("pause");
        await run.SampleUntilSourceSecondAsync(Size.FaultAfterSeconds + Size.FaultSeconds);
        await run.PostAsync("resume");
        var endedAt = run.SourceSeconds;
        await run.SampleUntilFinishedAsync();
        await ReportAsync(await run.ResultAsync("source paused and resumed", endedAt, $"paused {Size.Seconds(Size.FaultSeconds)} s through the API"));
    }

    [Fact]
    public async Task a_killed_silo_hands_capture_to_a_survivor_and_nothing_is_lost()
    {
        await using var run = await ScenarioRun.StartAsync(Size, ScenarioRun.BaseSource(Size), silos: 2);
        await run.SampleUntilSourceSecondAsync(Size.FaultAfterSeconds);
        (await run.OwnerAsync()).Kill();
        var killedAt = run.SourceSeconds;
        await run.SampleUntilFinishedAsync();
        await ReportAsync(await run.ResultAsync("silo killed", killedAt, "SIGKILL of the silo running the source (2 silos, Redis membership)"));
    }

    private Task ReportAsync(ScenarioResult result) => ScenarioResultsFile.ReportAsync(output, result);
}
