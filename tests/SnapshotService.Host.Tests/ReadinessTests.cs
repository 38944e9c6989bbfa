using System.Net;
using System.Text.Json;
using Grpc.Health.V1;
using SnapshotService.Api.V1;
using HealthService = Grpc.Health.V1.Health;

namespace SnapshotService.Host.Tests;

/// <summary>A host with a source that stalls once for 12 s behind a 2 s latency budget.</summary>
public sealed class StallingSourceHostFixture : HostFixture
{
    public const string StallingSourceId = "stalling";

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings() =>
    [
        new($"SnapshotService:Sources:{StallingSourceId}:Kind", "simulated"),
        new($"SnapshotService:Sources:{StallingSourceId}:Simulated:KeySpace", "1000"),
        new($"SnapshotService:Sources:{StallingSourceId}:Simulated:DocumentBytes", "128"),
        new($"SnapshotService:Sources:{StallingSourceId}:Simulated:ChangesPerSecond", "1000"),
        new($"SnapshotService:Sources:{StallingSourceId}:Simulated:Faults:StallAfterChanges", "3000"),
        new($"SnapshotService:Sources:{StallingSourceId}:Simulated:Faults:StallSeconds", "12"),
        new($"SnapshotService:Capture:LagBudgetBySource:{StallingSourceId}", "00:00:02"),
    ];
}

/// <summary>
/// Readiness follows capture: a stalled source raises lag and position age, turns degraded and
/// fails /readyz (saying which source and why), and everything clears once capture catches up.
/// </summary>
public sealed class ReadinessTests(StallingSourceHostFixture host) : IClassFixture<StallingSourceHostFixture>
{
    [Fact]
    public async Task a_stalled_source_turns_degraded_and_fails_readyz_then_both_recover()
    {
        var source = new GetSourceRequest { SourceId = StallingSourceHostFixture.StallingSourceId };
        // The 12-s stall starts when capture first reads past change 3,000: 3 s after the host
        // started, which on a busy machine can be most of the stall before this test runs. A capture
        // restart (pause, resume) reads through a new source reader, which stalls again at once (or
        // at change 3,000): the stall this test checks starts now, not with the fixture.
        await host.Sources.PauseSourceAsync(new PauseSourceRequest { SourceId = source.SourceId });
        await host.Sources.ResumeSourceAsync(new ResumeSourceRequest { SourceId = source.SourceId });
        SnapshotService.Api.V1.Source? degraded = null;
        await Eventually.TrueAsync(
            async () => (degraded = await host.Sources.GetSourceAsync(source)).State == SourceState.Degraded,
            () => $"the stalled source turns degraded (now: {degraded})",
            TimeSpan.FromSeconds(40));
        Assert.True(degraded!.LagSeconds > 2 || degraded.PositionAgeSeconds > 2, degraded.ToString());
        Assert.Equal(2, degraded.LagBudgetSeconds);
        Assert.Contains(degraded.RecentEvents, e => e.Kind == "degraded");

        using (var notReady = await host.Http.GetAsync(new Uri("/readyz", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            var body = JsonDocument.Parse(await notReady.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("Unhealthy", body.GetProperty("status").GetString());
            var sources = body.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "sources");
            Assert.Contains("stalling: degraded", sources.GetProperty("description").GetString(), StringComparison.Ordinal);
        }
        var sourcesHealth = await new HealthService.HealthClient(host.Channel).CheckAsync(new HealthCheckRequest { Service = "snapshotservice.v1.Sources" });
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, sourcesHealth.Status);
        // Liveness is not readiness: nothing here calls for a restart.
        using (var live = await host.Http.GetAsync(new Uri("/healthz", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        SnapshotService.Api.V1.Source? recovered = null;
        await Eventually.TrueAsync(
            async () => (recovered = await host.Sources.GetSourceAsync(source)).State == SourceState.Running,
            () => $"the source recovers once the stall ends (now: {recovered})",
            TimeSpan.FromSeconds(60));
        Assert.Contains(recovered!.RecentEvents, e => e.Kind == "recovered");
        await Eventually.TrueAsync(
            async () =>
            {
                using var ready = await host.Http.GetAsync(new Uri("/readyz", UriKind.Relative));
                return ready.StatusCode == HttpStatusCode.OK;
            },
            () => "/readyz answers 200 again",
            TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task readyz_lists_every_check_by_name()
    {
        using var response = await host.Http.GetAsync(new Uri("/readyz", UriKind.Relative));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        var names = body.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Equal(["silo", "export_store", "sources"], names);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
    }
}
