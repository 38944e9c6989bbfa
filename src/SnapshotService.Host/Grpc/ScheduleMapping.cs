using Google.Protobuf.WellKnownTypes;
using SnapshotService.Errors;
using SnapshotService.Grains;
using SnapshotService.Reconciliation.Schedules;
using V1 = SnapshotService.Api.V1;

namespace SnapshotService.Host.Grpc;

/// <summary>Schedules ↔ API messages. Timing, mode and policy travel as the user wrote them; the grain checks the timing.</summary>
internal static class ScheduleMapping
{
    /// <summary>Checks a schedule_id from a request path; the refusal names schedule_id.</summary>
    public static string RequireScheduleId(string scheduleId) =>
        ScheduleIds.Check(scheduleId) is { } problem ? throw SnapshotServiceException.InvalidArgument("schedule_id", problem) : scheduleId;

    /// <summary>
    /// The command of a SetSchedule request. The body's ids are output fields: they may be empty or
    /// repeat the path's, anything else is a mistake worth refusing. Mode defaults to incremental and
    /// policy to auto, as <c>snapshotctl schedule set</c> does.
    /// </summary>
    public static SetScheduleCommand ToCommand(V1.SetScheduleRequest request, string sourceId)
    {
        var scheduleId = RequireScheduleId(request.ScheduleId);
        var body = request.Schedule ?? new V1.Schedule();
        if (body.ScheduleId.Length > 0 && body.ScheduleId != scheduleId)
        {
            throw SnapshotServiceException.InvalidArgument("schedule_id", $"schedule.schedule_id '{Truncate(body.ScheduleId)}' differs from the schedule_id '{scheduleId}' of the path; leave it empty.");
        }
        if (body.SourceId.Length > 0 && body.SourceId != sourceId)
        {
            throw SnapshotServiceException.InvalidArgument("source_id", $"schedule.source_id '{Truncate(body.SourceId)}' differs from the source_id '{sourceId}' of the path; leave it empty.");
        }
        return new SetScheduleCommand(
            scheduleId,
            body.TimingCase == V1.Schedule.TimingOneofCase.Cron ? body.Cron : null,
            body.TimeZone.Length == 0 ? null : body.TimeZone,
            body.TimingCase == V1.Schedule.TimingOneofCase.Every ? body.Every : null,
            ScheduleNames.ParseMode(body.Mode, ReconcileMode.Incremental),
            ScheduleNames.ParsePolicy(body.RepairPolicy, RepairPolicy.Auto));
    }

    public static V1.Schedule ToApi(this ReconciliationSchedule schedule)
    {
        var api = new V1.Schedule
        {
            ScheduleId = schedule.ScheduleId,
            SourceId = schedule.SourceId,
            TimeZone = schedule.TimeZone ?? string.Empty,
            Mode = ScheduleNames.NameOf(schedule.Mode),
            RepairPolicy = ScheduleNames.NameOf(schedule.RepairPolicy),
            CreateTime = Timestamp.FromDateTimeOffset(schedule.CreatedAt),
            UpdateTime = Timestamp.FromDateTimeOffset(schedule.UpdatedAt),
            LastReportId = schedule.LastReportId ?? string.Empty,
            LastOutcome = schedule.LastOutcome ?? string.Empty,
        };
        if (schedule.Every is { } every)
        {
            api.Every = IntervalText.Format(every);
        }
        else
        {
            api.Cron = schedule.Cron ?? string.Empty;
        }
        if (schedule.LastFiredAt is { } fired)
        {
            api.LastFireTime = Timestamp.FromDateTimeOffset(fired);
        }
        if (schedule.NextFireAt is { } next)
        {
            api.NextFireTime = Timestamp.FromDateTimeOffset(next);
        }
        return api;
    }

    private static string Truncate(string value) => value.Length <= 60 ? value : value[..60] + "…";
}
