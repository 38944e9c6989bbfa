using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using SnapshotService.Api.V1;
using Spectre.Console;

namespace SnapshotService.Cli.Output;

/// <summary>
/// Follows a progress stream (materialize, restore, reconcile): a live bar with rates and ETA on a
/// terminal; one tab-separated line per update on stderr when piped (stdout stays the result);
/// nothing with --json. Returns the last message (the one carrying the result).
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

    public static Task<ReconciliationUpdate?> FollowAsync(Printer printer, IAsyncEnumerable<ReconciliationUpdate> updates) =>
        FollowAsync(printer, updates, u => u.Progress is not { } p
            ? new Step(1, 1, true, "done", "")
            : new Step(p.RangesDone, p.RangesTotal, false,
                string.Create(CultureInfo.InvariantCulture, $"{p.RangesDone}/{p.RangesTotal} ranges  {p.SourceDocumentsRead:N0} docs read  {p.DriftFound:N0} drifted  {p.ReportId}"),
                string.Create(CultureInfo.InvariantCulture, $"progress\t{p.RangesDone}\t{p.RangesTotal}\t{p.SourceDocumentsRead}\t{p.DriftFound}\t{p.ReportId}")));

    private static async Task<T?> FollowAsync<T>(Printer printer, IAsyncEnumerable<T> updates, Func<T, Step> step)
        where T : class
    {
        T? last = null;
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
