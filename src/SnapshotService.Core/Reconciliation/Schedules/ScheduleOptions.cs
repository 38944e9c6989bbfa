namespace SnapshotService.Reconciliation.Schedules;

/// <summary>Limits of reconciliation schedules (configuration section <c>SnapshotService:Schedules</c>).</summary>
public sealed class ScheduleOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "SnapshotService:Schedules";

    /// <summary>Most schedules one source may have; more is a mistake (each runs a source-wide scan).</summary>
    public const int MaxSchedulesPerSource = 100;

    /// <summary>
    /// The shortest interval between two firings of a schedule, for <c>every</c> and for cron
    /// expressions alike (default 1 minute). Every run reads ranges of the source, so a too-frequent
    /// schedule costs source throughput (RUs, oplog reads); tests lower it to seconds.
    /// </summary>
    public TimeSpan MinimumInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Problems with the settings, each naming its configuration key; empty when valid.</summary>
    public IReadOnlyList<string> Validate() => MinimumInterval >= TimeSpan.FromSeconds(1)
        ? []
        : [$"{SectionName}:MinimumInterval must be at least 00:00:01 (was {MinimumInterval})."];
}
