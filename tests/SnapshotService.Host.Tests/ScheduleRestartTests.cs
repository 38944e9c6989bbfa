using System.Globalization;
using Grpc.Net.Client;
using SnapshotService.Api.V1;
using SnapshotService.Testing;

namespace SnapshotService.Host.Tests;

/// <summary>
/// Schedules fire on time and survive a restart: the same export root served by a host, stopped,
/// then served by a new host in the same process (reminders are in memory, so only the export
/// layer carries the schedule across).
/// </summary>
public sealed class ScheduleRestartTests
{
    private const string SourceId = "sched";
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task a_schedule_fires_on_time_persists_across_a_restart_and_fires_after_it()
    {
        using var exportRoot = new TempDirectory("snapsvc-sched-export");
        Schedule set;
        DateTimeOffset stoppedAt;
        int reportsBeforeStop;
        await using (var first = await ScheduleHost.StartAsync(exportRoot.Path))
        {
            set = await first.Reconciliation.SetScheduleAsync(new SetScheduleRequest
            {
                SourceId = SourceId,
                ScheduleId = "every-2s",
                Schedule = new Schedule { Every = "2s", Mode = "full", RepairPolicy = "report_only" },
            });
            var reports = await first.WaitForReportsAsync(2);
            var updated = set.UpdateTime.ToDateTimeOffset();
            // On time, without tight timing: no run before the first occurrence (1 s slack for
            // clock granularity), never more runs than occurrences so far.
            Assert.All(reports, r => Assert.True(r.StartTime.ToDateTimeOffset() >= updated + Interval - TimeSpan.FromSeconds(1), $"run {r.ReportId} started at {r.StartTime}, before the first occurrence {set.NextFireTime}"));
            var occurrences = (DateTimeOffset.UtcNow - updated).Ticks / Interval.Ticks;
            Assert.True(reports.Count <= occurrences + 1, $"{reports.Count} runs for {occurrences} occurrences");
            reportsBeforeStop = reports.Count;
            stoppedAt = DateTimeOffset.UtcNow;
        }

        await using var second = await ScheduleHost.StartAsync(exportRoot.Path);
        var startedAt = DateTimeOffset.UtcNow;

        // Nothing touches the schedule API before these runs: the start-up waker alone revives the schedule.
        await second.WaitForReportsAsync(reportsBeforeStop + 2);
        var listed = (await second.Reconciliation.ListSchedulesAsync(new ListSchedulesRequest { SourceId = SourceId })).Schedules.Single();
        Assert.Equal(("every-2s", "2s", "full", "report_only"), (listed.ScheduleId, listed.Every, listed.Mode, listed.RepairPolicy));
        Assert.Equal(set.CreateTime, listed.CreateTime);
        Schedule? after = null;
        await Eventually.TrueAsync(
            async () =>
            {
                after = (await second.Reconciliation.ListSchedulesAsync(new ListSchedulesRequest { SourceId = SourceId })).Schedules.Single();
                return after.LastFireTime?.ToDateTimeOffset() > startedAt && after.LastOutcome == "succeeded";
            },
            () => $"the schedule fires after the restart and records a succeeded run (now: {after})");
        var newest = await second.Reconciliation.GetDriftReportAsync(new GetDriftReportRequest { SourceId = SourceId, ReportId = after!.LastReportId });
        Assert.True(newest.StartTime.ToDateTimeOffset() > stoppedAt);
        Assert.True(newest.DryRun);
    }

    /// <summary>One in-process host on free loopback ports over a given export root, with a lowered minimum interval.</summary>
    private sealed class ScheduleHost : IAsyncDisposable
    {
        private readonly TempDirectory _contentRoot = new("snapsvc-sched-content");
        private WebApplication? _app;

        private ScheduleHost()
        {
        }

        public GrpcChannel Channel { get; private set; } = null!;

        public SnapshotService.Api.V1.Reconciliation.ReconciliationClient Reconciliation => new(Channel);

        public static async Task<ScheduleHost> StartAsync(string exportRoot)
        {
            var host = new ScheduleHost();
            var httpPort = FreePort.Next();
            var grpc = $"http://127.0.0.1:{FreePort.Next()}";
            var settings = new Dictionary<string, string>
            {
                ["SnapshotService:Http:Url"] = $"http://127.0.0.1:{httpPort}",
                ["SnapshotService:Grpc:Url"] = grpc,
                ["SnapshotService:Export:Root"] = exportRoot,
                ["SnapshotService:Orleans:SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
                ["SnapshotService:Orleans:GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
                ["SnapshotService:Capture:MaxCommitDelay"] = "00:00:00.050",
                ["SnapshotService:Schedules:MinimumInterval"] = "00:00:01",
                ["Logging:LogLevel:Default"] = "Warning",
                [$"SnapshotService:Sources:{SourceId}:Kind"] = "simulated",
                [$"SnapshotService:Sources:{SourceId}:Simulated:Seed"] = "5",
                [$"SnapshotService:Sources:{SourceId}:Simulated:KeySpace"] = "300",
                [$"SnapshotService:Sources:{SourceId}:Simulated:DocumentBytes"] = "128",
                [$"SnapshotService:Sources:{SourceId}:Simulated:ChangesPerSecond"] = "1000",
            };
            host._app = SnapshotServiceApp.Create(new WebApplicationOptions
            {
                Args = [.. settings.Select(kv => $"--{kv.Key}={kv.Value}")],
                ContentRootPath = host._contentRoot.Path,
                EnvironmentName = "Testing",
            });
            await host._app.StartAsync();
            host.Channel = GrpcChannel.ForAddress(grpc);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
            await Eventually.TrueAsync(async () => (await http.GetAsync("/healthz")).IsSuccessStatusCode, "the host reports healthy on /healthz");
            return host;
        }

        /// <summary>Waits until the source has at least <paramref name="count"/> drift reports; returns them.</summary>
        public async Task<IReadOnlyList<DriftReport>> WaitForReportsAsync(int count)
        {
            IReadOnlyList<DriftReport> reports = [];
            await Eventually.TrueAsync(
                async () =>
                {
                    reports = (await Reconciliation.ListDriftReportsAsync(new ListDriftReportsRequest { SourceId = SourceId })).Reports;
                    return reports.Count >= count;
                },
                () => $"source '{SourceId}' has {count} drift reports from scheduled runs (so far {reports.Count})");
            return reports;
        }

        public async ValueTask DisposeAsync()
        {
            Channel?.Dispose();
            if (_app is not null)
            {
                await _app.StopAsync();
                await _app.DisposeAsync();
            }
            _contentRoot.Dispose();
        }
    }
}
