namespace SnapshotService.Grains;

/// <summary>What a scheduled reconciliation does with the drift it finds.</summary>
public enum RepairPolicy
{
    /// <summary>Repair drift through the log (the run is requested with <c>DryRun = false</c>).</summary>
    Auto = 0,

    /// <summary>Only write the drift report (the run is requested with <c>DryRun = true</c>).</summary>
    ReportOnly = 1,
}
