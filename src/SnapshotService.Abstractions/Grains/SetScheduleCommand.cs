namespace SnapshotService.Grains;

/// <summary>
/// Creates or replaces a schedule. Timing travels as the user wrote it so that the grain checks it
/// in one place and refusals name the field (<c>cron</c>, <c>every</c>, <c>time_zone</c>).
/// </summary>
/// <param name="ScheduleId">1-63 characters of lowercase letters, digits, '-' and '_'.</param>
/// <param name="Cron">A cron expression, or null/empty when <paramref name="Every"/> is set.</param>
/// <param name="TimeZone">IANA time zone of the cron expression (null/empty: UTC); only with cron.</param>
/// <param name="Every">An interval such as <c>30s</c>, <c>15m</c>, <c>1h</c>, <c>1h30m</c>, <c>7d</c>, or null/empty when <paramref name="Cron"/> is set.</param>
/// <param name="Mode">Full or incremental runs.</param>
/// <param name="RepairPolicy">Repair drift, or only report it.</param>
[GenerateSerializer, Immutable]
[Alias("SnapshotService.SetScheduleCommand")]
public sealed record SetScheduleCommand(
    [property: Id(0)] string ScheduleId,
    [property: Id(1)] string? Cron,
    [property: Id(2)] string? TimeZone,
    [property: Id(3)] string? Every,
    [property: Id(4)] ReconcileMode Mode,
    [property: Id(5)] RepairPolicy RepairPolicy);
