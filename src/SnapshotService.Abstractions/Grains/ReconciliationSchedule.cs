namespace SnapshotService.Grains;

/// <summary>
/// A reconciliation schedule of one source, as persisted in the export layer
/// (<c>sources/{sourceId}/schedules/{scheduleId}.json</c>) and returned by the API. Exactly one of
/// <see cref="Cron"/> and <see cref="Every"/> is set.
/// </summary>
/// <param name="SourceId">The source the schedule reconciles.</param>
/// <param name="ScheduleId">The user-chosen id, unique per source.</param>
/// <param name="Cron">A cron expression (5 fields, or 6 with seconds first), or null for an interval schedule.</param>
/// <param name="TimeZone">The IANA time zone the cron expression is read in (default UTC); null for an interval schedule.</param>
/// <param name="Every">The fixed interval, counted from <see cref="UpdatedAt"/>; null for a cron schedule.</param>
/// <param name="Mode">Full or incremental runs.</param>
/// <param name="RepairPolicy">Repair drift, or only report it.</param>
/// <param name="CreatedAt">When the schedule was first set.</param>
/// <param name="UpdatedAt">When it was last set (an interval schedule's occurrences are counted from here).</param>
/// <param name="LastFiredAt">When it last fired, or null.</param>
/// <param name="LastReportId">The drift report of the last run it started that finished, or null.</param>
/// <param name="LastOutcome">
/// What the last firing led to: <c>running</c>, <c>succeeded</c>, <c>failed: …</c>,
/// <c>skipped: …</c> (another run of the source was in flight) or <c>unknown: …</c>; null before the first firing.
/// </param>
/// <param name="NextFireAt">The next occurrence; when it is in the past after a restart, the schedule fires once to catch up.</param>
[GenerateSerializer, Immutable]
[Alias("SnapshotService.ReconciliationSchedule")]
public sealed record ReconciliationSchedule(
    [property: Id(0)] string SourceId,
    [property: Id(1)] string ScheduleId,
    [property: Id(2)] string? Cron,
    [property: Id(3)] string? TimeZone,
    [property: Id(4)] TimeSpan? Every,
    [property: Id(5)] ReconcileMode Mode,
    [property: Id(6)] RepairPolicy RepairPolicy,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] DateTimeOffset UpdatedAt,
    [property: Id(9)] DateTimeOffset? LastFiredAt,
    [property: Id(10)] string? LastReportId,
    [property: Id(11)] string? LastOutcome,
    [property: Id(12)] DateTimeOffset? NextFireAt);
