using System.Text.Encodings.Web;
using System.Text.Json;
using SnapshotService.Errors;
using SnapshotService.Grains;

namespace SnapshotService.Reconciliation.Schedules;

/// <summary>JSON form (format v1, snake_case) of <c>schedules/{scheduleId}.json</c>; see docs/export-format.md.</summary>
internal static class ScheduleJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true, // a small file operators read and diff
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // files, not HTML: keep cron and outcomes readable
    };

    public static byte[] Encode(ReconciliationSchedule s) => JsonSerializer.SerializeToUtf8Bytes(
        new ScheduleDto(
            1,
            s.SourceId,
            s.ScheduleId,
            s.Cron,
            s.TimeZone,
            s.Every is { } every ? IntervalText.Format(every) : null,
            ScheduleNames.NameOf(s.Mode),
            ScheduleNames.NameOf(s.RepairPolicy),
            s.CreatedAt,
            s.UpdatedAt,
            s.LastFiredAt,
            s.LastReportId,
            s.LastOutcome,
            s.NextFireAt),
        Options);

    /// <summary>Reads a schedule file; <see cref="InvalidDataException"/> names the key and what is wrong.</summary>
    public static ReconciliationSchedule Decode(string key, ReadOnlySpan<byte> json)
    {
        ScheduleDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize<ScheduleDto>(json, Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Schedule '{key}' is not valid JSON: {e.Message}", e);
        }
        if (dto is null || dto.Format != 1 || dto.SourceId is null || dto.ScheduleId is null || !SourceIds.IsValid(dto.SourceId) || ScheduleIds.Check(dto.ScheduleId) is not null)
        {
            throw new InvalidDataException($"Schedule '{key}' is malformed or has an unknown format (expected format 1 with a valid source_id and schedule_id).");
        }
        if ((dto.Cron is null) == (dto.Every is null))
        {
            throw new InvalidDataException($"Schedule '{key}' must hold exactly one of cron and every.");
        }
        TimeSpan? every = null;
        if (dto.Every is not null)
        {
            every = IntervalText.TryParse(dto.Every, out var interval) ? interval : throw new InvalidDataException($"Schedule '{key}' has every '{dto.Every}', which is not an interval.");
        }
        ReconcileMode mode;
        RepairPolicy policy;
        try
        {
            mode = ScheduleNames.ParseMode(dto.Mode ?? "?", ReconcileMode.Incremental);
            policy = ScheduleNames.ParsePolicy(dto.RepairPolicy ?? "?", RepairPolicy.Auto);
        }
        catch (SnapshotServiceException e)
        {
            throw new InvalidDataException($"Schedule '{key}': {e.Message}", e);
        }
        return new ReconciliationSchedule(
            dto.SourceId, dto.ScheduleId, dto.Cron, dto.Cron is null ? null : dto.TimeZone ?? ScheduleSpec.DefaultTimeZone, every, mode, policy,
            dto.CreatedAt, dto.UpdatedAt, dto.LastFiredAt, dto.LastReportId, dto.LastOutcome, dto.NextFireAt);
    }

    private sealed record ScheduleDto(
        int Format,
        string? SourceId,
        string? ScheduleId,
        string? Cron,
        string? TimeZone,
        string? Every,
        string? Mode,
        string? RepairPolicy,
        DateTimeOffset CreatedAt,
        DateTimeOffset UpdatedAt,
        DateTimeOffset? LastFiredAt,
        string? LastReportId,
        string? LastOutcome,
        DateTimeOffset? NextFireAt);
}
