using Cronos;
using SnapshotService.Errors;

namespace SnapshotService.Reconciliation.Schedules;

/// <summary>
/// When a schedule fires: a cron expression read in a time zone, or a fixed interval counted from
/// an anchor (the time the schedule was set). Parsing refuses bad input with a
/// <see cref="SnapshotServiceException"/> that names the field (<c>cron</c>, <c>every</c>,
/// <c>time_zone</c>) and says what to write instead.
/// </summary>
public sealed class ScheduleSpec
{
    /// <summary>The time zone of a cron schedule that names none.</summary>
    public const string DefaultTimeZone = "UTC";

    /// <summary>The longest cron expression accepted.</summary>
    public const int MaxCronLength = 200;

    /// <summary>How many occurrences the minimum-interval check of a cron expression looks at.</summary>
    private const int GapCheckOccurrences = 200;

    private const string CronHelp = "use 5 fields (minute hour day-of-month month day-of-week, e.g. '*/15 * * * *') or 6 with seconds first (e.g. '0 */15 * * * *')";

    private readonly CronExpression? _expression;
    private readonly TimeZoneInfo? _zone;

    private ScheduleSpec(string? cron, CronExpression? expression, string? timeZone, TimeZoneInfo? zone, TimeSpan? every)
    {
        Cron = cron;
        _expression = expression;
        TimeZone = timeZone;
        _zone = zone;
        Every = every;
    }

    /// <summary>The cron expression (trimmed), or null for an interval schedule.</summary>
    public string? Cron { get; }

    /// <summary>The time zone id of a cron schedule (default <see cref="DefaultTimeZone"/>), or null for an interval schedule.</summary>
    public string? TimeZone { get; }

    /// <summary>The interval, or null for a cron schedule.</summary>
    public TimeSpan? Every { get; }

    /// <summary>
    /// Parses a schedule as a user gave it. Exactly one of <paramref name="cron"/> and
    /// <paramref name="every"/> must be non-empty; <paramref name="timeZone"/> only goes with cron.
    /// Firings closer than <paramref name="minimumInterval"/> are refused (for cron: among the next
    /// 200 occurrences after <paramref name="now"/>, which catches seconds fields and dense lists).
    /// </summary>
    public static ScheduleSpec Parse(string? cron, string? timeZone, string? every, TimeSpan minimumInterval, DateTimeOffset now)
    {
        var hasCron = !string.IsNullOrWhiteSpace(cron);
        var hasEvery = !string.IsNullOrWhiteSpace(every);
        if (hasCron == hasEvery)
        {
            throw SnapshotServiceException.InvalidArgument(
                "cron",
                $"Set exactly one of cron or every ({(hasCron ? "both were given" : "neither was given")}): cron for calendar times (e.g. '0 2 * * *'), every for a fixed interval (e.g. '15m').");
        }
        return hasCron ? ParseCron(cron!.Trim(), timeZone, minimumInterval, now) : ParseEvery(every!.Trim(), timeZone, minimumInterval);
    }

    /// <summary>
    /// Reads back a persisted schedule without the minimum-interval check (the minimum may have been
    /// raised since it was set; the schedule keeps firing as it was accepted).
    /// </summary>
    public static ScheduleSpec Restore(string? cron, string? timeZone, TimeSpan? every, DateTimeOffset now) =>
        every is { } interval
            ? new ScheduleSpec(null, null, null, null, interval)
            : ParseCron(cron ?? string.Empty, timeZone, TimeSpan.Zero, now);

    /// <summary>
    /// The first occurrence strictly after <paramref name="after"/>, in UTC; null when a cron
    /// expression has no further occurrence. Interval occurrences are <paramref name="anchor"/> + k ×
    /// every (k ≥ 1), so they stay on the same grid across restarts and late firings.
    /// </summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after, DateTimeOffset anchor)
    {
        if (Every is { } every)
        {
            var elapsed = after - anchor;
            var k = elapsed < TimeSpan.Zero ? 1 : (elapsed.Ticks / every.Ticks) + 1;
            return anchor.ToUniversalTime() + (every * k);
        }
        return _expression!.GetNextOccurrence(after, _zone!)?.ToUniversalTime();
    }

    /// <summary>A short description for logs and messages, e.g. <c>cron '0 2 * * *' (Europe/Berlin)</c> or <c>every 15m</c>.</summary>
    public override string ToString() => Every is { } every ? $"every {IntervalText.Format(every)}" : $"cron '{Cron}' ({TimeZone})";

    private static ScheduleSpec ParseEvery(string every, string? timeZone, TimeSpan minimumInterval)
    {
        if (!string.IsNullOrWhiteSpace(timeZone))
        {
            throw SnapshotServiceException.InvalidArgument(
                "time_zone",
                "time_zone applies to cron schedules only (an every schedule counts from when it was set); remove time_zone or use cron.");
        }
        if (!IntervalText.TryParse(every, out var interval))
        {
            throw SnapshotServiceException.InvalidArgument(
                "every",
                $"every '{Truncate(every)}' is not an interval; use {IntervalText.Rule} (at most {IntervalText.Maximum.TotalDays:0} days).");
        }
        if (interval < minimumInterval)
        {
            throw SnapshotServiceException.InvalidArgument(
                "every",
                $"every {IntervalText.Format(interval)} is shorter than the minimum interval {IntervalText.Format(minimumInterval)} ({ScheduleOptions.SectionName}:MinimumInterval).");
        }
        return new ScheduleSpec(null, null, null, null, interval);
    }

    private static ScheduleSpec ParseCron(string cron, string? timeZone, TimeSpan minimumInterval, DateTimeOffset now)
    {
        if (cron.Length > MaxCronLength)
        {
            throw SnapshotServiceException.InvalidArgument("cron", $"cron is {cron.Length} characters long; the limit is {MaxCronLength}.");
        }
        var fields = cron.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        CronFormat format;
        if (cron.StartsWith('@'))
        {
            format = fields.Length == 1 ? CronFormat.Standard : throw SnapshotServiceException.InvalidArgument("cron", $"cron '{cron}' is invalid: a macro such as @daily stands alone; {CronHelp}.");
        }
        else
        {
            format = fields.Length switch
            {
                5 => CronFormat.Standard,
                6 => CronFormat.IncludeSeconds,
                _ => throw SnapshotServiceException.InvalidArgument("cron", $"cron '{cron}' has {fields.Length} field{(fields.Length == 1 ? "" : "s")}; {CronHelp}."),
            };
        }
        CronExpression expression;
        try
        {
            // Cronos wants single spaces between fields.
            expression = CronExpression.Parse(string.Join(' ', fields), format);
        }
        catch (CronFormatException ex)
        {
            // Cronos prefixes every message with the same sentence; the part after it names the field.
            var reason = ex.Message.Replace("The given cron expression has an invalid format. ", string.Empty, StringComparison.Ordinal).TrimEnd('.');
            throw SnapshotServiceException.InvalidArgument("cron", $"cron '{cron}' is invalid: {reason}; {CronHelp}.");
        }

        var zoneId = string.IsNullOrWhiteSpace(timeZone) ? DefaultTimeZone : timeZone.Trim();
        TimeZoneInfo zone;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            throw SnapshotServiceException.InvalidArgument(
                "time_zone",
                $"time_zone '{Truncate(zoneId)}' is not a known IANA time zone; use a name such as UTC, Europe/Berlin or America/New_York.");
        }

        var spec = new ScheduleSpec(string.Join(' ', fields), expression, zoneId, zone, null);
        var previous = spec.NextAfter(now, now);
        if (previous is null)
        {
            throw SnapshotServiceException.InvalidArgument("cron", $"cron '{cron}' never fires (no date matches it); check the day-of-month and month fields.");
        }
        if (minimumInterval > TimeSpan.Zero)
        {
            for (var i = 0; i < GapCheckOccurrences; i++)
            {
                var next = spec.NextAfter(previous.Value, now);
                if (next is null)
                {
                    break;
                }
                var gap = next.Value - previous.Value;
                if (gap < minimumInterval)
                {
                    throw SnapshotServiceException.InvalidArgument(
                        "cron",
                        $"cron '{cron}' fires {IntervalText.Format(gap)} apart at its closest; the minimum interval is {IntervalText.Format(minimumInterval)} ({ScheduleOptions.SectionName}:MinimumInterval).");
                }
                previous = next;
            }
        }
        return spec;
    }

    private static string Truncate(string value) => value.Length <= 60 ? value : value[..60] + "…";
}
