using System.Globalization;
using System.Text;

namespace SnapshotService.Reconciliation.Schedules;

/// <summary>
/// Intervals as users write them: whole numbers with a unit, largest unit first, e.g. <c>30s</c>,
/// <c>15m</c>, <c>1h30m</c>, <c>7d</c>. Whole seconds only: a reconciliation is never meant to run
/// more than once a second, and the format stays unambiguous (no "m" for months or millis).
/// </summary>
public static class IntervalText
{
    /// <summary>The longest interval accepted; anything rarer is a calendar schedule (use cron).</summary>
    public static readonly TimeSpan Maximum = TimeSpan.FromDays(366);

    /// <summary>How the accepted form reads in error messages.</summary>
    public const string Rule = "a whole number followed by s, m, h or d, largest unit first, e.g. 30s, 15m, 1h, 1h30m, 7d";

    private static readonly (char Unit, TimeSpan Length)[] Units =
    [
        ('d', TimeSpan.FromDays(1)),
        ('h', TimeSpan.FromHours(1)),
        ('m', TimeSpan.FromMinutes(1)),
        ('s', TimeSpan.FromSeconds(1)),
    ];

    /// <summary>Parses <paramref name="text"/>; false when it is not of the form <see cref="Rule"/>, is zero, or exceeds <see cref="Maximum"/>.</summary>
    public static bool TryParse(string? text, out TimeSpan interval)
    {
        interval = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text) || text.Length > 40)
        {
            return false;
        }
        var total = TimeSpan.Zero;
        var nextUnit = 0; // units must appear in descending order, each at most once
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
            if (i == start || i == text.Length || i - start > 9)
            {
                return false;
            }
            var number = int.Parse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture);
            var unit = Array.FindIndex(Units, nextUnit, u => u.Unit == text[i]);
            if (unit < 0)
            {
                return false;
            }
            total += Units[unit].Length * number;
            if (total > Maximum)
            {
                return false;
            }
            nextUnit = unit + 1;
            i++;
        }
        if (total <= TimeSpan.Zero)
        {
            return false;
        }
        interval = total;
        return true;
    }

    /// <summary>Formats a positive interval in the same form, e.g. 5400 s as <c>1h30m</c>; sub-second parts are dropped.</summary>
    public static string Format(TimeSpan interval)
    {
        var seconds = (long)interval.TotalSeconds;
        if (seconds <= 0)
        {
            return "0s";
        }
        var text = new StringBuilder();
        foreach (var (unit, length) in Units)
        {
            var per = (long)length.TotalSeconds;
            if (seconds >= per)
            {
                text.Append((seconds / per).ToString(CultureInfo.InvariantCulture)).Append(unit);
                seconds %= per;
            }
        }
        return text.ToString();
    }
}
