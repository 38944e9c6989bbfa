using System.Globalization;

namespace SnapshotService.Host.Tests;

/// <summary>
/// The demo source as the README starts it, but at 2,000 changes a second and with no faults:
/// dry runs taken while it writes compare an export that is always a little behind, and must
/// report no drift — the keys in flight settle. Before settling, every such run reported the
/// keys changed between the compared seq and the scan (hundreds at this rate).
/// </summary>
public sealed class LiveSourceDriftTests : IClassFixture<LiveSourceDriftTests.LiveDemoHostFixture>
{
    private readonly LiveDemoHostFixture _host;

    public LiveSourceDriftTests(LiveDemoHostFixture host) => _host = host;

    [Fact]
    public async Task ten_full_and_ten_incremental_dry_runs_of_a_healthy_writing_source_report_no_drift()
    {
        await _host.WaitForCommittedAsync(LiveDemoHostFixture.DemoSourceId, 2_000);
        long resolvedInFlight = 0;
        for (var i = 0; i < 20; i++)
        {
            var mode = i % 2 == 0 ? "full" : "incremental";
            var run = await _host.Http.PostJsonAsync($"/v1/sources/{LiveDemoHostFixture.DemoSourceId}/reconciliations", $"{{\"mode\":\"{mode}\",\"dryRun\":true}}");

            run.AssertOk();
            Assert.Equal("succeeded", run.Body.GetProperty("status").GetString());
            Assert.True(run.Body.GetProperty("driftTotal").GetString() == "0" && run.Body.GetProperty("unsettled").GetString() == "0",
                $"run {i + 1} ({mode}) of a healthy source reported drift or unsettled keys: {run.Body}");
            resolvedInFlight += long.Parse(run.Body.GetProperty("resolvedInFlight").GetString()!, CultureInfo.InvariantCulture);
        }
        Assert.True(resolvedInFlight > 0, "no key was in flight in 20 runs: they did not overlap the writing, so they prove nothing");
    }

    /// <summary>A host with the README's demo source, at 2,000 changes a second.</summary>
    public sealed class LiveDemoHostFixture : HostFixture
    {
        public const string DemoSourceId = "demo";

        protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings()
        {
            var prefix = $"SnapshotService:Sources:{DemoSourceId}:";
            yield return new(prefix + "Kind", "simulated");
            yield return new(prefix + "Simulated:Seed", "42");
            yield return new(prefix + "Simulated:KeySpace", "10000");
            yield return new(prefix + "Simulated:DocumentBytes", "1024");
            yield return new(prefix + "Simulated:ChangesPerSecond", "2000");
        }
    }
}
