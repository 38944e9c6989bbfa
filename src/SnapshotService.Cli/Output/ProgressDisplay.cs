using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using SnapshotService.Api.V1;
using Spectre.Console;

namespace SnapshotService.Cli.Output;

/// <summary>
/// Follows a progress stream (materialize, restore, reconcile): a live bar with rates and ETA on a
/// terminal; one tab-separated line per update on stderr when piped (stdout stays the result):
/// <c>progress, done, total, …, rate per second, seconds remaining (- when unknown)</c>; nothing
/// with --json (stdout is then the final result only). Returns the last message (the one carrying the result).
/// </summary>
internal static class ProgressDisplay
{
    public static Task<MaterializeProgress?> FollowAsync(Printer printer, IAsyncEnumerable<MaterializeProgress> updates) =>
        FollowAsync(printer, updates, p => new Step(p.DocumentsDone, p.DocumentsTotal, p.View is not null,
            string.Create(CultureInfo.InvariantCulture, $"{p.DocumentsDone:N0}/{p.DocumentsTotal:N0} docs  {p.DocumentsPerSecond:N0} docs/s  {p.MegabytesPerSecond:F1} MB/s  ETA {Eta(p.Remaining)}"),
            string.Create(CultureInfo.InvariantCulture, $"progress\t{p.DocumentsDone}\t{p.DocumentsTotal}\t{p.DocumentsPerSecond:F0}\t{p.MegabytesPerSecond:F1}\t{Seconds(p.Remaining)}")));

    public static Task<RestoreProgress?> FollowAsync(Printer printer, IAsyncEnumerable<RestoreProgress> updates) =>
        FollowAsync(printer, updates, p => new Step(p.DocumentsDone, p.DocumentsTotal, p.Verification is not null,
            string.Create(CultureInfo.InvariantCulture, $"{p.DocumentsDone:N0}/{p.DocumentsTotal:N0} docs  {p.Upserted:N0} written  {p.Deleted:N0} deleted  {p.DocumentsPerSecond:N0} docs/s  ETA {Eta(p.Remaining)}"),
            string.Create(CultureInfo.InvariantCulture, $"progress\t{p.DocumentsDone}\t{p.DocumentsTotal}\t{p.Upserted}\t{p.Deleted}\t{p.DocumentsPerSecond:F0}\t{Seconds(p.Remaining)}")));

    public static Task<ReconciliationUpdate?> FollowAsync(Printer printer, IAsyncEnumerable<ReconciliationUpdate> updates)
    {
        // The server reports ranges and documents done; rate and ETA come from the time they took.
        var started = System.Diagnostics.Stopwatch.StartNew();
        return FollowAsync(printer, updates, u =>
        {
            if (u.Progress is not { } p)
            {
                return new Step(1, 1, true, "done", "");
            }
            var seconds = Math.Max(0.001, started.Elapsed.TotalSeconds);
            var docsPerSecond = p.SourceDocumentsRead / seconds;
            var rangesPerSecond = p.RangesDone / seconds;
            Duration? remaining = p.RangesDone == 0 || p.RangesTotal <= p.RangesDone ? null : Duration.FromTimeSpan(TimeSpan.FromSeconds((p.RangesTotal - p.RangesDone) / rangesPerSecond));
            return new Step(p.RangesDone, p.RangesTotal, false,
                string.Create(CultureInfo.InvariantCulture, $"{p.RangesDone}/{p.RangesTotal} ranges  {p.SourceDocumentsRead:N0} docs read  {docsPerSecond:N0} docs/s  {p.DriftFound:N0} drifted  ETA {Eta(remaining)}  {p.ReportId}"),
                string.Create(CultureInfo.InvariantCulture, $"progress\t{p.RangesDone}\t{p.RangesTotal}\t{p.SourceDocumentsRead}\t{docsPerSecond:F0}\t{p.DriftFound}\t{Seconds(remaining)}\t{p.ReportId}"));
        });
    }

    private static async Task<T?> FollowAsync<T>(Printer printer, IAsyncEnumerable<T> updates, Func<T, Step> step)
        where T : class
    {
        T? last = null;
        if (printer.Ansi is { } ansi)
        {
            await ansi.Progress()
                .Columns(new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new TaskDescriptionColumn { Alignment = Justify.Left })
                .StartAsync(async context =>
                {
                    var task = context.AddTask("starting", maxValue: 1);
                    await foreach (var update in updates)
                    {
                        last = update;
                        var s = step(update);
                        task.MaxValue = Math.Max(1, s.Total);
                        task.Value = s.Done;
                        task.Description = Markup.Escape(s.Description);
                    }
                    task.StopTask();
                });
            return last;
        }
        await foreach (var update in updates)
        {
            last = update;
            var s = step(update);
            if (!printer.Json && !s.Final)
            {
                printer.Note(s.Line);
            }
        }
        return last;
    }

    private static string Eta(Duration? remaining) =>
        remaining is null ? "?" : remaining.ToTimeSpan().ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture);

    private static string Seconds(Duration? remaining) =>
        remaining is null ? "-" : remaining.ToTimeSpan().TotalSeconds.ToString("F0", CultureInfo.InvariantCulture);

    /// <summary>One update as the display needs it.</summary>
    private sealed record Step(ulong Done, ulong Total, bool Final, string Description, string Line);
}
