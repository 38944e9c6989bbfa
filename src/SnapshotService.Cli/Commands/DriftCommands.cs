using System.CommandLine;
using System.Globalization;
using SnapshotService.Api.V1;
using SnapshotService.Cli.Output;

namespace SnapshotService.Cli.Commands;

/// <summary><c>snapshotctl drift list|get|episodes</c>.</summary>
internal static class DriftCommands
{
    private static readonly string[] ListHeaders = ["REPORT", "MODE", "STATUS", "DRIFT", "RESOLVED IN FLIGHT", "UNSETTLED", "RANGES", "STARTED"];
    private static readonly string[] KeyHeaders = ["KEY", "CATEGORY", "EXPORT SEQ", "EXPORT VERSION", "SOURCE VERSION"];
    private static readonly string[] EpisodeHeaders = ["KEY", "TIMES", "FIRST SEEN", "LAST SEEN", "LAST CATEGORY", "LAST REPORT"];

    public static Command Build(CommandRunner runner)
    {
        var command = new Command("drift", "Read drift reports, their keys, and drift episodes.");
        command.Subcommands.Add(List(runner));
        command.Subcommands.Add(Get(runner));
        command.Subcommands.Add(Episodes(runner));
        return command;
    }

    private static Command List(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The source id." };
        var onlyDrift = new Option<bool>("--only-drift") { Description = "Only reports that found confirmed drift." };
        var pageSize = new Option<int>("--page-size") { Description = "1..1000 reports per page (default 100)." };
        var pageToken = new Option<string?>("--page-token") { Description = "The token printed after the previous page." };
        var command = new Command("list", "List a source's drift reports, newest first.") { id, onlyDrift, pageSize, pageToken };
        command.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var request = new ListDriftReportsRequest
            {
                SourceId = parse.GetValue(id)!,
                OnlyDrift = parse.GetValue(onlyDrift),
                PageSize = parse.GetValue(pageSize),
                PageToken = parse.GetValue(pageToken) ?? string.Empty,
            };
            var response = await Client(call).ListDriftReportsAsync(request, deadline: call.Deadline, cancellationToken: call.CancellationToken);
            if (call.Printer.Json)
            {
                call.Printer.Message(response);
                return ExitCodes.Ok;
            }
            call.Printer.Rows(ListHeaders, response.Reports.Select(r => (IReadOnlyList<string>)
            [
                r.ReportId,
                r.Mode + (r.DryRun ? " (dry run)" : string.Empty),
                r.Status,
                Formats.Number(r.DriftTotal),
                Settled(r, r.ResolvedInFlight),
                Settled(r, r.Unsettled),
                Ranges(r),
                Formats.Time(r.StartTime),
            ]));
            if (response.NextPageToken.Length > 0)
            {
                call.Printer.Note($"more: snapshotctl drift list {request.SourceId} --page-token {response.NextPageToken}");
            }
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command Get(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The source id." };
        var reportId = new Argument<string>("REPORT") { Description = "The report id (drift-…)." };
        var keys = new Option<string?>("--keys") { Description = "List the keys of one category: missing_in_export, extra_in_export, content_mismatch or version_regression." };
        var pageSize = new Option<int>("--page-size") { Description = "With --keys: 1..1000 keys per page (default 100)." };
        var pageToken = new Option<string?>("--page-token") { Description = "With --keys: the token printed after the previous page." };
        var command = new Command("get", "Show one drift report, or with --keys one category's keys.") { id, reportId, keys, pageSize, pageToken };
        command.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var sourceId = parse.GetValue(id)!;
            var report = parse.GetValue(reportId)!;
            if (parse.GetValue(keys) is not { } category)
            {
                Print(call.Printer, await Client(call).GetDriftReportAsync(
                    new GetDriftReportRequest { SourceId = sourceId, ReportId = report }, deadline: call.Deadline, cancellationToken: call.CancellationToken));
                return ExitCodes.Ok;
            }
            var request = new ListDriftKeysRequest
            {
                SourceId = sourceId,
                ReportId = report,
                Category = category,
                PageSize = parse.GetValue(pageSize),
                PageToken = parse.GetValue(pageToken) ?? string.Empty,
            };
            var response = await Client(call).ListDriftKeysAsync(request, deadline: call.Deadline, cancellationToken: call.CancellationToken);
            if (call.Printer.Json)
            {
                call.Printer.Message(response);
                return ExitCodes.Ok;
            }
            call.Printer.Rows(KeyHeaders, response.Keys.Select(k => (IReadOnlyList<string>)
            [
                k.Key,
                k.Category,
                k.InExport ? Formats.Number(k.ExportSequence) : "-",
                k.InExport ? k.ExportVersion.ToString(CultureInfo.InvariantCulture) : "-",
                k.InSource ? k.SourceVersion.ToString(CultureInfo.InvariantCulture) : "-",
            ]));
            call.Printer.Note($"{Formats.Number(response.Total)} {category} keys in the report");
            if (response.NextPageToken.Length > 0)
            {
                call.Printer.Note($"more: snapshotctl drift get {sourceId} {report} --keys {category} --page-token {response.NextPageToken}");
            }
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command Episodes(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The source id." };
        var minTimes = new Option<long>("--min-times") { Description = "Only keys seen drifted at least this often." };
        var pageSize = new Option<int>("--page-size") { Description = "1..1000 episodes per page (default 100)." };
        var pageToken = new Option<string?>("--page-token") { Description = "The token printed after the previous page." };
        var command = new Command("episodes", "List keys that drifted, with how often and when.") { id, minTimes, pageSize, pageToken };
        command.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var request = new ListDriftEpisodesRequest
            {
                SourceId = parse.GetValue(id)!,
                MinTimesSeen = parse.GetValue(minTimes),
                PageSize = parse.GetValue(pageSize),
                PageToken = parse.GetValue(pageToken) ?? string.Empty,
            };
            var response = await Client(call).ListDriftEpisodesAsync(request, deadline: call.Deadline, cancellationToken: call.CancellationToken);
            if (call.Printer.Json)
            {
                call.Printer.Message(response);
                return ExitCodes.Ok;
            }
            call.Printer.Rows(EpisodeHeaders, response.Episodes.Select(e => (IReadOnlyList<string>)
            [
                e.Key,
                Formats.Number(e.TimesSeen),
                Formats.Time(e.FirstSeen),
                Formats.Time(e.LastSeen),
                e.LastCategory,
                e.LastReportId,
            ]));
            if (response.NextPageToken.Length > 0)
            {
                call.Printer.Note($"more: snapshotctl drift episodes {request.SourceId} --page-token {response.NextPageToken}");
            }
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    /// <summary>
    /// Prints a report: one line per field; confirmed drift (drift_total and its categories' counts
    /// and first keys) with the keys resolved in flight and the unsettled ones (with reasons) beside it.
    /// </summary>
    public static void Print(Printer printer, DriftReport r)
    {
        if (printer.Json)
        {
            printer.Message(r);
            return;
        }
        var fields = new List<(string, string)>
        {
            ("report_id", r.ReportId),
            ("source_id", r.SourceId),
            ("mode", r.Mode),
            ("dry_run", r.DryRun ? "true" : "false"),
            ("status", r.Status),
            ("failure_reason", Formats.OrDash(r.FailureReason)),
            ("start_time", Formats.Time(r.StartTime)),
            ("end_time", Formats.Time(r.EndTime)),
            ("anchor_sequence", Formats.Number(r.AnchorSequence)),
            ("ranges", Ranges(r)),
            ("source_documents_scanned", Formats.Number(r.SourceDocumentsScanned)),
            ("export_documents_scanned", Formats.Number(r.ExportDocumentsScanned)),
            ("keys_point_checked", Formats.Number(r.KeysPointChecked)),
            ("drift_total", Formats.Number(r.DriftTotal)),
            ("resolved_in_flight", Settled(r, r.ResolvedInFlight)),
            ("unsettled", Unsettled(r)),
        };
        foreach (var c in r.Categories)
        {
            var shown = c.FirstKeys.Take(5).ToList();
            var more = c.Count > (ulong)shown.Count ? $" … (drift get {r.SourceId} {r.ReportId} --keys {c.Category})" : string.Empty;
            fields.Add((c.Category, Formats.Number(c.Count) + (shown.Count > 0 ? ": " + string.Join(", ", shown) + more : string.Empty)));
        }
        if (!r.DryRun)
        {
            fields.Add(("repaired", Repaired(r)));
            fields.Add(("repair_skipped", $"{Formats.Number(r.RepairSkippedAligned)} caught up by capture, {Formats.Number(r.RepairNotRepairable)} newer in the export"));
        }
        printer.Fields(fields);
    }

    /// <summary>A settle count, or "-" for a report written before runs settled (its drift counted every key found different).</summary>
    private static string Settled(DriftReport r, ulong count) => r.Settled ? Formats.Number(count) : "-";

    /// <summary>The unsettled count, then the first keys grouped by reason: "2: k1, k2 (capture had not committed …)".</summary>
    private static string Unsettled(DriftReport r)
    {
        if (!r.Settled || r.UnsettledKeys.Count == 0)
        {
            return Settled(r, r.Unsettled);
        }
        var shown = r.UnsettledKeys.Take(5).ToList();
        var groups = shown.GroupBy(u => u.Reason, StringComparer.Ordinal).Select(g => $"{string.Join(", ", g.Select(u => u.Key))} ({g.Key})");
        var more = r.Unsettled > (ulong)shown.Count ? $" … (drift get {r.SourceId} {r.ReportId} --json lists the first {r.UnsettledKeys.Count} with reasons)" : string.Empty;
        return $"{Formats.Number(r.Unsettled)}: {string.Join("; ", groups)}{more}";
    }

    private static string Repaired(DriftReport r) => r.RepairedCount == 0
        ? "0"
        : $"{Formats.Number(r.RepairedCount)} (seq {Formats.Number(r.RepairFirstSequence)}..{Formats.Number(r.RepairLastSequence)})";

    private static string Ranges(DriftReport r) => $"{r.RangesChecked}/{r.RangesTotal}";

    private static Reconciliation.ReconciliationClient Client(CallContext call) => new(call.Channel);
}
