using SnapshotService.Errors;
using SnapshotService.Reconciliation.Schedules;

namespace SnapshotService.Core.Tests.Reconciliation.Schedules;

public sealed class ScheduleSpecTests
{
    private static readonly TimeSpan OneMinute = TimeSpan.FromMinutes(1);
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 10, 7, 30, TimeSpan.Zero);

    private static SnapshotServiceException Refused(string? cron, string? timeZone, string? every, TimeSpan? minimum = null) =>
        Assert.Throws<SnapshotServiceException>(() => ScheduleSpec.Parse(cron, timeZone, every, minimum ?? OneMinute, Now));

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("15m", 900)]
    [InlineData("1h", 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("7d", 604800)]
    [InlineData("1d2h3m4s", 93784)]
    public void intervals_parse_and_format_back_canonically(string text, int seconds)
    {
        Assert.True(IntervalText.TryParse(text, out var interval));
        Assert.Equal(TimeSpan.FromSeconds(seconds), interval);
        Assert.Equal(text, IntervalText.Format(interval));
    }

    [Theory]
    [InlineData("")]
    [InlineData("15")]
    [InlineData("m")]
    [InlineData("15x")]
    [InlineData("0s")]
    [InlineData("30m1h")]
    [InlineData("1h1h")]
    [InlineData("-5m")]
    [InlineData("1.5h")]
    [InlineData("400d")]
    [InlineData("15 m")]
    public void malformed_intervals_do_not_parse(string text) => Assert.False(IntervalText.TryParse(text, out _));

    [Fact]
    public void neither_cron_nor_every_is_refused_saying_exactly_one()
    {
        var error = Refused(null, null, " ");
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("exactly one of cron or every", error.Message, StringComparison.Ordinal);
        Assert.Contains("neither", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void both_cron_and_every_are_refused_saying_exactly_one()
    {
        var error = Refused("0 2 * * *", null, "15m");
        Assert.Contains("exactly one of cron or every", error.Message, StringComparison.Ordinal);
        Assert.Contains("both", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_malformed_interval_is_refused_naming_every_and_the_form()
    {
        var error = Refused(null, null, "15x");
        Assert.Equal("every", error.Field);
        Assert.StartsWith("every '15x' is not an interval; use a whole number followed by s, m, h or d", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void an_interval_below_the_minimum_is_refused_naming_the_setting()
    {
        var error = Refused(null, null, "30s");
        Assert.Equal("every", error.Field);
        Assert.Equal("every 30s is shorter than the minimum interval 1m (SnapshotService:Schedules:MinimumInterval).", error.Message);
    }

    [Fact]
    public void a_lowered_minimum_accepts_a_seconds_interval()
    {
        var spec = ScheduleSpec.Parse(null, null, "2s", TimeSpan.FromSeconds(1), Now);
        Assert.Equal(TimeSpan.FromSeconds(2), spec.Every);
    }

    [Fact]
    public void a_time_zone_with_every_is_refused_naming_time_zone()
    {
        var error = Refused(null, "Europe/Berlin", "15m");
        Assert.Equal("time_zone", error.Field);
        Assert.Contains("time_zone applies to cron schedules only", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("* * * *", "has 4 fields")]
    [InlineData("0 0 0 * * * *", "has 7 fields")]
    [InlineData("61 * * * *", "is invalid")]
    [InlineData("0 2 * * mon-funday", "is invalid")]
    [InlineData("0 0 30 2 *", "never fires")]
    public void malformed_cron_is_refused_naming_cron(string cron, string because)
    {
        var error = Refused(cron, null, null);
        Assert.Equal("cron", error.Field);
        Assert.StartsWith($"cron '{cron}' ", error.Message, StringComparison.Ordinal);
        Assert.Contains(because, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void cron_firing_more_often_than_the_minimum_is_refused()
    {
        var error = Refused("*/10 * * * * *", null, null);
        Assert.Equal("cron", error.Field);
        Assert.Contains("fires 10s apart at its closest; the minimum interval is 1m", error.Message, StringComparison.Ordinal);

        var dense = Refused("0,5 0 * * * *", null, null); // two firings 5 s apart once an hour
        Assert.Contains("fires 5s apart", dense.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void an_unknown_time_zone_is_refused_naming_time_zone()
    {
        var error = Refused("0 2 * * *", "Mars/Olympus_Mons", null);
        Assert.Equal("time_zone", error.Field);
        Assert.Equal("time_zone 'Mars/Olympus_Mons' is not a known IANA time zone; use a name such as UTC, Europe/Berlin or America/New_York.", error.Message);
    }

    [Fact]
    public void five_field_cron_fires_at_the_next_matching_minute_in_utc_by_default()
    {
        var spec = ScheduleSpec.Parse("*/15 * * * *", null, null, OneMinute, Now);

        Assert.Equal("UTC", spec.TimeZone);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 10, 15, 0, TimeSpan.Zero), spec.NextAfter(Now, Now));
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 10, 30, 0, TimeSpan.Zero), spec.NextAfter(new DateTimeOffset(2026, 3, 1, 10, 15, 0, TimeSpan.Zero), Now));
    }

    [Fact]
    public void six_field_cron_takes_seconds_first()
    {
        var spec = ScheduleSpec.Parse("30 0 */2 * * *", null, null, OneMinute, Now);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 0, 30, TimeSpan.Zero), spec.NextAfter(Now, Now));
    }

    [Fact]
    public void cron_is_read_in_its_time_zone_across_a_daylight_saving_change()
    {
        // 02:30 every day in Berlin: CET (UTC+1) before 29 March 2026, CEST (UTC+2) after.
        var spec = ScheduleSpec.Parse("30 2 * * *", "Europe/Berlin", null, OneMinute, Now);

        Assert.Equal(new DateTimeOffset(2026, 3, 2, 1, 30, 0, TimeSpan.Zero), spec.NextAfter(Now, Now));
        var afterChange = spec.NextAfter(new DateTimeOffset(2026, 3, 30, 12, 0, 0, TimeSpan.Zero), Now);
        Assert.Equal(new DateTimeOffset(2026, 3, 31, 0, 30, 0, TimeSpan.Zero), afterChange);
        Assert.Equal(TimeSpan.Zero, afterChange!.Value.Offset);
    }

    [Fact]
    public void cron_macros_are_accepted()
    {
        var spec = ScheduleSpec.Parse("@daily", "America/New_York", null, OneMinute, Now);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 5, 0, 0, TimeSpan.Zero), spec.NextAfter(Now, Now));
    }

    [Fact]
    public void interval_occurrences_stay_on_the_grid_of_their_anchor_and_collapse_missed_ones()
    {
        var anchor = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
        var spec = ScheduleSpec.Parse(null, null, "15m", OneMinute, anchor);

        Assert.Equal(anchor.AddMinutes(15), spec.NextAfter(anchor, anchor));
        Assert.Equal(anchor.AddMinutes(15), spec.NextAfter(anchor.AddMinutes(1), anchor));
        Assert.Equal(anchor.AddMinutes(30), spec.NextAfter(anchor.AddMinutes(15), anchor));
        // Down for three hours: the next occurrence is the first after now, not the 12 missed ones.
        Assert.Equal(anchor.AddMinutes(195), spec.NextAfter(anchor.AddMinutes(181), anchor));
    }

    [Theory]
    [InlineData("nightly")]
    [InlineData("incremental-15m")]
    [InlineData("a_b-9")]
    public void schedule_ids_of_the_alphabet_are_valid(string id) => Assert.Null(ScheduleIds.Check(id));

    [Theory]
    [InlineData("", "schedule_id is required")]
    [InlineData("Nightly", "contains 'N'")]
    [InlineData("a.b", "contains '.'")]
    [InlineData("a/b", "contains '/'")]
    public void malformed_schedule_ids_are_refused_naming_schedule_id(string id, string because)
    {
        var problem = ScheduleIds.Check(id);
        Assert.NotNull(problem);
        Assert.StartsWith("schedule_id", problem, StringComparison.Ordinal);
        Assert.Contains(because, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void a_too_long_schedule_id_is_refused_with_the_limit() =>
        Assert.Contains("is 64 characters long; the limit is 63", ScheduleIds.Check(new string('a', 64)), StringComparison.Ordinal);
}
