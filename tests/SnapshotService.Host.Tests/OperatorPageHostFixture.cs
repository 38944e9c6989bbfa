using System.Globalization;
using SnapshotService.Api.V1;

namespace SnapshotService.Host.Tests;

/// <summary>
/// A host for the operator page's browser test: a capped simulated source that drops 5% of its
/// events (so reconciliation finds drift) with four reconciliation runs, a snapshot and a schedule;
/// and a source that stalls behind a 2 s latency budget (so the page shows a degraded state) with
/// one run whose keys stay unsettled (capture never passes the re-read; settling waits 1 s).
/// </summary>
public sealed class OperatorPageHostFixture : HostFixture
{
    public const string DriftySourceId = "ui-drift";

    public const string DegradedSourceId = "ui-stalled";

    public const string ScheduleId = "nightly";

    private const long MaxChanges = 2000;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private OperatorPageData? _data;

    /// <summary>Runs the reconciliations and creates the snapshot and schedule once; later calls return the same data.</summary>
    public async Task<OperatorPageData> PrepareAsync()
    {
        await _gate.WaitAsync();
        try
        {
            return _data ??= await CreateDataAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<OperatorPageData> CreateDataAsync()
    {
        await WaitForPositionAsync(DriftySourceId, $"sim:{MaxChanges}");
        var reports = new List<DriftReport>();
        // Two report-only runs (the same drift twice), a repairing run, then a run after the repair.
        foreach (var dryRun in new[] { true, true, false, true })
        {
            reports.Add(await Reconciliation.RunReconciliationAsync(new RunReconciliationRequest { SourceId = DriftySourceId, Mode = "full", DryRun = dryRun }));
        }
        Assert.True(reports[0].DriftTotal > 0 && reports[1].DriftTotal > 0, $"the dropped events show as drift in two runs: {reports[0]} / {reports[1]}");
        var snapshot = await Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = DriftySourceId, Label = "before-upgrade" });
        await Reconciliation.SetScheduleAsync(new SetScheduleRequest
        {
            SourceId = DriftySourceId,
            ScheduleId = ScheduleId,
            Schedule = new Schedule { Cron = "0 2 * * *", Mode = "full" },
        });
        Source? degraded = null;
        await Eventually.TrueAsync(
            async () => (degraded = await Sources.GetSourceAsync(new GetSourceRequest { SourceId = DegradedSourceId })).State == SourceState.Degraded,
            () => $"source '{DegradedSourceId}' turns degraded behind its 2 s budget (now: {degraded})");
        var unsettled = await Reconciliation.RunReconciliationAsync(new RunReconciliationRequest { SourceId = DegradedSourceId, Mode = "full", DryRun = true });
        Assert.True(unsettled.Unsettled > 0 && unsettled.DriftTotal == 0, $"the stalled source's keys found different stay unsettled: {unsettled}");
        return new OperatorPageData(reports, snapshot, unsettled);
    }

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings()
    {
        var drifty = $"SnapshotService:Sources:{DriftySourceId}:";
        yield return new(drifty + "Kind", "simulated");
        yield return new(drifty + "Simulated:Seed", "5");
        yield return new(drifty + "Simulated:KeySpace", "400");
        yield return new(drifty + "Simulated:DocumentBytes", "128");
        yield return new(drifty + "Simulated:ChangesPerSecond", "0");
        yield return new(drifty + "Simulated:MaxChanges", MaxChanges.ToString(CultureInfo.InvariantCulture));
        yield return new(drifty + "Simulated:Faults:DropPerMille", "50");

        // Stalls for an hour after 300 changes: degraded for the whole test.
        var stalled = $"SnapshotService:Sources:{DegradedSourceId}:";
        yield return new(stalled + "Kind", "simulated");
        yield return new(stalled + "Simulated:KeySpace", "1000");
        yield return new(stalled + "Simulated:DocumentBytes", "128");
        yield return new(stalled + "Simulated:ChangesPerSecond", "1000");
        yield return new(stalled + "Simulated:Faults:StallAfterChanges", "300");
        yield return new(stalled + "Simulated:Faults:StallSeconds", "3600");
        yield return new($"SnapshotService:Capture:LagBudgetBySource:{DegradedSourceId}", "00:00:02");
        yield return new("SnapshotService:Reconciliation:SettleTimeout", "00:00:01");
    }
}

/// <summary>What the fixture created, for the page's assertions.</summary>
/// <param name="Reports">The drifting source's runs (confirmed drift), oldest first.</param>
/// <param name="Snapshot">The drifting source's snapshot.</param>
/// <param name="UnsettledReport">The stalled source's run: no drift, keys unsettled.</param>
public sealed record OperatorPageData(IReadOnlyList<DriftReport> Reports, Snapshot Snapshot, DriftReport UnsettledReport);
