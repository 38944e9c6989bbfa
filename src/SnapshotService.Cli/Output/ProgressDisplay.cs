using System.Globalization;
using SnapshotService.Api.V1;
using Spectre.Console;

namespace SnapshotService.Cli.Output;

/// <summary>
/// Follows a progress stream (materialize, restore): a live bar with docs/s, MB/s and ETA on a
/// terminal; one tab-separated line per update on stderr when piped (stdout stays the result);
/// nothing with --json. Returns the last message (the one carrying the result).
/// </summary>
internal static class ProgressDisplay
{
    public static async Task<MaterializeProgress?> FollowAsync(Printer printer, IAsyncEnumerable<MaterializeProgress> updates)
    {
        MaterializeProgress? last = null;
        if (printer.Ansi is { } ansi)
        {
            await ansi.Progress()
                .Columns(new ProgressBarColumn(), new PercentageColumn(), new TaskDescriptionColumn { Alignment = Justify.Left })
                .StartAsync(async context =>
                {
                    var task = context.AddTask("starting", maxValue: 1);
                    await foreach (var update in updates)
                    {
                        last = update;
                        task.MaxValue = Math.Max(1, update.DocumentsTotal);
                        task.Value = update.DocumentsDone;
                        task.Description = Markup.Escape(Describe(update));
                    }
                    task.StopTask();
                });
            return last;
        }
        await foreach (var update in updates)
        {
            last = update;
            if (!printer.Json && update.View is null)
            {
                printer.Note(Line(update));
            }
        }
        return last;
    }

    /// <summary>"1,234/5,000 docs  12,345 docs/s  45.6 MB/s  ETA 0:12".</summary>
    public static string Describe(MaterializeProgress p) => string.Create(
        CultureInfo.InvariantCulture,
        $"{p.DocumentsDone:N0}/{p.DocumentsTotal:N0} docs  {p.DocumentsPerSecond:N0} docs/s  {p.MegabytesPerSecond:F1} MB/s  ETA {Eta(p)}");

    /// <summary>"progress\tdone\ttotal\tdocs_per_second\tmb_per_second\teta_seconds" (eta "-" while unknown).</summary>
    public static string Line(MaterializeProgress p) => string.Create(
        CultureInfo.InvariantCulture,
        $"progress\t{p.DocumentsDone}\t{p.DocumentsTotal}\t{p.DocumentsPerSecond:F0}\t{p.MegabytesPerSecond:F1}\t{(p.Remaining is null ? "-" : p.Remaining.ToTimeSpan().TotalSeconds.ToString("F0", CultureInfo.InvariantCulture))}");

    private static string Eta(MaterializeProgress p) =>
        p.Remaining is null ? "?" : p.Remaining.ToTimeSpan().ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture);
}
