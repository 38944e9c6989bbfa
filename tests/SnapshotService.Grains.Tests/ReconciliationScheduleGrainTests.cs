using SnapshotService.Errors;
using SnapshotService.Reconciliation.Reports;
using SnapshotService.Reconciliation.Schedules;
using SnapshotService.Testing;

namespace SnapshotService.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class ReconciliationScheduleGrainTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private IReconciliationScheduleGrain Schedules(string sourceId) => fixture.Cluster.GrainFactory.GetGrain<IReconciliationScheduleGrain>(sourceId);

    private static SetScheduleCommand Every(string scheduleId, string every, RepairPolicy policy = RepairPolicy.ReportOnly, ReconcileMode mode = ReconcileMode.Full) =>
        new(scheduleId, Cron: null, TimeZone: null, every, mode, policy);

    [Fact]
    public async Task an_interval_schedule_fires_on_its_grid_and_records_each_run()
    {
        const string SourceId = "sim-sched-fire";
        await fixture.Cluster.GrainFactory.GetGrain<ISourceGrain>(SourceId).EnsureStartedAsync();
        var set = await Schedules(SourceId).SetAsync(Every("every-2s", "2s"));
        Assert.Equal(set.UpdatedAt + TimeSpan.FromSeconds(2), set.NextFireAt);

        var reports = new DriftReportStore(fixture.Store);
        IReadOnlyList<DriftReport> runs = [];
        await EventuallyAsync(
            async () =>
            {
                runs = (await reports.ListAsync(SourceId, new DriftReportQuery(), default)).Reports;
                return runs.Count >= 3;
            },
            () => $"three scheduled runs have written reports (so far {runs.Count})");
        var observedAt = DateTimeOffset.UtcNow;
        await Schedules(SourceId).DeleteAsync("every-2s");

        // The schedule's runs start no earlier than its first occurrence (1 s slack for clock
        // granularity) and never more often than its occurrences allow: no tight timing.
        Assert.All(runs, r => Assert.True(r.StartedAt >= set.UpdatedAt + TimeSpan.FromSeconds(1), $"run {r.Id} started at {r.StartedAt:o}, before the first occurrence {set.NextFireAt:o}"));
        var occurrences = (int)((observedAt - set.UpdatedAt).Ticks / TimeSpan.FromSeconds(2).Ticks);
        Assert.True(runs.Count <= occurrences + 1, $"{runs.Count} runs for {occurrences} occurrences");
        Assert.All(runs, r => Assert.True(r.DryRun, "a report_only schedule runs dry"));
    }

    [Fact]
    public async Task each_firing_is_recorded_in_the_schedule_file()
    {
        const string SourceId = "sim-sched-status";
        await fixture.Cluster.GrainFactory.GetGrain<ISourceGrain>(SourceId).EnsureStartedAsync();
        await Schedules(SourceId).SetAsync(Every("status", "1s", mode: ReconcileMode.Incremental));

        ReconciliationSchedule? stored = null;
        await EventuallyAsync(
            async () =>
            {
                stored = await new ScheduleStore(fixture.Store).GetAsync(SourceId, "status", default);
                return stored is { LastOutcome: "succeeded", LastReportId: not null };
            },
            () => $"the schedule file records a succeeded run (now: {stored})");
        await Schedules(SourceId).DeleteAsync("status");

        var report = await new DriftReportStore(fixture.Store).GetAsync(SourceId, stored!.LastReportId!, default);
        Assert.Equal(Reconciliation.ReconciliationMode.Incremental, report.Mode);
        Assert.NotNull(stored.LastFiredAt);
        Assert.True(stored.NextFireAt > stored.LastFiredAt);
        Assert.Null(await new ScheduleStore(fixture.Store).GetAsync(SourceId, "status", default));
    }

    [Fact]
    public async Task a_firing_while_another_run_of_the_source_is_in_flight_is_skipped_naming_that_run()
    {
        // Scans of "sim-slow-…" pause 2 s per range, so the run started by one firing is still in
        // flight at the next ones.
        const string SourceId = "sim-slow-sched";
        await fixture.Cluster.GrainFactory.GetGrain<ISourceGrain>(SourceId).EnsureStartedAsync();
        await Schedules(SourceId).SetAsync(Every("busy", "1s"));

        ReconciliationSchedule? seen = null;
        await EventuallyAsync(
            async () =>
            {
                seen = (await Schedules(SourceId).ListAsync()).Single();
                return seen.LastOutcome?.StartsWith("skipped:", StringComparison.Ordinal) == true;
            },
            () => $"a firing is skipped (last: {seen?.LastOutcome})");
        await Schedules(SourceId).DeleteAsync("busy");

        Assert.Matches(@"^skipped: a reconciliation was already running \(report_id drift-[0-9a-z]{26}\)$", seen!.LastOutcome);
        Assert.Null(seen.LastReportId);
    }

    [Fact]
    public async Task an_auto_schedule_asks_for_a_repairing_run()
    {
        const string SourceId = "sim-sched-auto";
        await fixture.Cluster.GrainFactory.GetGrain<ISourceGrain>(SourceId).EnsureStartedAsync();
        await Schedules(SourceId).SetAsync(Every("repair", "1s", RepairPolicy.Auto));

        ReconciliationSchedule? seen = null;
        await EventuallyAsync(
            async () =>
            {
                seen = (await Schedules(SourceId).ListAsync()).Single();
                return seen.LastOutcome is { } outcome && outcome != "running" && !outcome.StartsWith("skipped:", StringComparison.Ordinal);
            },
            () => $"an auto run has ended (last: {seen?.LastOutcome})");
        await Schedules(SourceId).DeleteAsync("repair");

        // DryRun=false reached the reconciliation grain: it repaired and wrote a non-dry-run report.
        Assert.Equal("succeeded", seen!.LastOutcome);
        var report = await new DriftReportStore(fixture.Store).GetAsync(SourceId, seen.LastReportId!, default);
        Assert.False(report.DryRun);
        Assert.NotNull(report.Repair);
    }

    [Fact]
    public async Task an_occurrence_missed_while_nothing_was_active_fires_once_on_wake()
    {
        const string SourceId = "sim-sched-catchup";
        await fixture.Cluster.GrainFactory.GetGrain<ISourceGrain>(SourceId).EnsureStartedAsync();
        // A yearly schedule whose occurrence passed three days ago while no silo ran it: as a
        // restart leaves it (files in the export layer, no reminder registered).
        var now = DateTimeOffset.UtcNow;
        var missed = new ReconciliationSchedule(
            SourceId, "yearly", "0 0 1 1 *", "UTC", null, ReconcileMode.Full, RepairPolicy.ReportOnly,
            now.AddYears(-1), now.AddYears(-1), now.AddDays(-300), "drift-00000000000000000000000000", ScheduleOutcomesRunning, now.AddDays(-3));
        await new ScheduleStore(fixture.Store).PutAsync(missed, default);

        Assert.Equal(1, await Schedules(SourceId).WakeAsync());

        ReconciliationSchedule? seen = null;
        await EventuallyAsync(
            async () =>
            {
                seen = (await Schedules(SourceId).ListAsync()).Single();
                return seen.LastOutcome == "succeeded";
            },
            () => $"the catch-up run succeeds (last: {seen?.LastOutcome})");
        var reports = (await new DriftReportStore(fixture.Store).ListAsync(SourceId, new DriftReportQuery(), default)).Reports;
        await Schedules(SourceId).DeleteAsync("yearly");

        Assert.Single(reports);
        Assert.Equal(reports[0].Id, seen!.LastReportId);
        Assert.True(seen.LastFiredAt >= now);
        Assert.Equal(new DateTimeOffset(now.Year + 1, 1, 1, 0, 0, 0, TimeSpan.Zero), seen.NextFireAt);
    }

    [Fact]
    public async Task bad_input_is_refused_naming_the_field()
    {
        var grain = Schedules("sim-sched-input");

        var badId = await Assert.ThrowsAsync<SnapshotServiceException>(() => grain.SetAsync(Every("Nightly", "1h")));
        var tooOften = await Assert.ThrowsAsync<SnapshotServiceException>(() => grain.SetAsync(Every("s", "500ms")));
        var neither = await Assert.ThrowsAsync<SnapshotServiceException>(() => grain.SetAsync(new SetScheduleCommand("s", null, null, null, ReconcileMode.Full, RepairPolicy.Auto)));
        var unknownSource = await Assert.ThrowsAsync<SnapshotServiceException>(() => Schedules("not-configured").SetAsync(Every("s", "1h")));
        var missing = await Assert.ThrowsAsync<SnapshotServiceException>(() => grain.DeleteAsync("never-set"));

        Assert.Equal((ErrorKind.InvalidArgument, "schedule_id"), (badId.Kind, badId.Field));
        Assert.Equal((ErrorKind.InvalidArgument, "every"), (tooOften.Kind, tooOften.Field));
        Assert.Contains("exactly one of cron or every", neither.Message, StringComparison.Ordinal);
        Assert.Equal((ErrorKind.NotFound, "source_id"), (unknownSource.Kind, unknownSource.Field));
        Assert.Equal((ErrorKind.NotFound, "schedule_id"), (missing.Kind, missing.Field));
        Assert.Empty(await grain.ListAsync());
    }

    /// <summary>What a firing whose outcome was never recorded looks like on disk.</summary>
    private const string ScheduleOutcomesRunning = "running";

    private static Task EventuallyAsync(Func<Task<bool>> condition, Func<string> what) => Eventually.TrueAsync(condition, what, Patience);
}
