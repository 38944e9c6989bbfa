using SnapshotService.Api.V1;

namespace SnapshotService.Host.Tests;

/// <summary>
/// A host with two capped simulated sources for reconciliation tests: <see cref="DriftySourceId"/>
/// drops 5% of its change events (the export misses them), <see cref="SteadySourceId"/> has no
/// faults. Both are unthrottled and end after <see cref="MaxChanges"/> changes, so once capture has
/// read everything the source's scan (at its watermark, the end of the history) and the export
/// agree except for the injected faults. <see cref="StalledSourceId"/> keeps changing while its
/// capture stalls, so a run leaves the keys it finds different unsettled: the host settles for at
/// most 1 s (SettleTimeout), which the finished sources never need.
/// </summary>
public sealed class DriftHostFixture : HostFixture
{
    public const string DriftySourceId = "drifty";

    public const string SteadySourceId = "steady";

    /// <summary>Drops 5% like <see cref="DriftySourceId"/>, for tests that repair (and so change) its export.</summary>
    public const string RepairableSourceId = "repairable";

    /// <summary>Drops 5% too, for the CLI's repairing run.</summary>
    public const string CliRepairSourceId = "cli-repair";

    /// <summary>Changes 1,000 times a second; capture stalls for an hour after <see cref="StallAfterChanges"/> changes.</summary>
    public const string StalledSourceId = "stalled";

    public const long StallAfterChanges = 300;

    public const long MaxChanges = 3000;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private DriftReport? _driftyReport;
    private DriftReport? _stalledReport;

    /// <summary>The first full dry run of the drifty source, after its capture finished (run once, shared by the tests).</summary>
    public async Task<DriftReport> DriftyReportAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_driftyReport is null)
            {
                await WaitForCaptureToFinishAsync(DriftySourceId);
                _driftyReport = await Reconciliation.RunReconciliationAsync(new RunReconciliationRequest { SourceId = DriftySourceId, Mode = "full", DryRun = true });
            }
            return _driftyReport;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The first full dry run of the stalled source, once its capture has stalled (run once, shared by the tests).</summary>
    public async Task<DriftReport> StalledReportAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_stalledReport is null)
            {
                await WaitForCommittedAsync(StalledSourceId, (ulong)StallAfterChanges);
                _stalledReport = await Reconciliation.RunReconciliationAsync(new RunReconciliationRequest { SourceId = StalledSourceId, Mode = "full", DryRun = true });
            }
            return _stalledReport;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Waits until capture has committed the source's whole history (its position is the end, sim:MaxChanges).</summary>
    public Task<Source> WaitForCaptureToFinishAsync(string sourceId) => WaitForPositionAsync(sourceId, $"sim:{MaxChanges}");

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings()
    {
        foreach (var (id, dropPerMille) in new[] { (DriftySourceId, "50"), (SteadySourceId, "0"), (RepairableSourceId, "50"), (CliRepairSourceId, "50") })
        {
            var prefix = $"SnapshotService:Sources:{id}:";
            yield return new(prefix + "Kind", "simulated");
            yield return new(prefix + "Simulated:Seed", "11");
            yield return new(prefix + "Simulated:KeySpace", "500");
            yield return new(prefix + "Simulated:DocumentBytes", "128");
            yield return new(prefix + "Simulated:ChangesPerSecond", "0");
            yield return new(prefix + "Simulated:MaxChanges", MaxChanges.ToString(System.Globalization.CultureInfo.InvariantCulture));
            yield return new(prefix + "Simulated:Faults:DropPerMille", dropPerMille);
        }
        var stalled = $"SnapshotService:Sources:{StalledSourceId}:";
        yield return new(stalled + "Kind", "simulated");
        yield return new(stalled + "Simulated:Seed", "13");
        yield return new(stalled + "Simulated:KeySpace", "500");
        yield return new(stalled + "Simulated:DocumentBytes", "128");
        yield return new(stalled + "Simulated:ChangesPerSecond", "1000");
        yield return new(stalled + "Simulated:Faults:StallAfterChanges", StallAfterChanges.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return new(stalled + "Simulated:Faults:StallSeconds", "3600");
        yield return new("SnapshotService:Reconciliation:SettleTimeout", "00:00:01");
    }
}

[CollectionDefinition(Name)]
public sealed class DriftHostCollection : ICollectionFixture<DriftHostFixture>
{
    public const string Name = "drift-host";
}
