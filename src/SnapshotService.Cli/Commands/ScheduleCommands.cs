using System.CommandLine;
using SnapshotService.Api.V1;
using SnapshotService.Cli.Output;

namespace SnapshotService.Cli.Commands;

/// <summary><c>snapshotctl schedule set|list|delete</c>.</summary>
internal static class ScheduleCommands
{
    private static readonly string[] ListHeaders = ["SCHEDULE", "WHEN", "MODE", "POLICY", "NEXT FIRE", "LAST FIRED", "LAST OUTCOME", "LAST REPORT"];

    public static Command Build(CommandRunner runner)
    {
        var command = new Command("schedule", "Set, list and delete a source's reconciliation schedules.");
        command.Subcommands.Add(Set(runner));
        command.Subcommands.Add(List(runner));
        command.Subcommands.Add(Delete(runner));
        return command;
    }

    private static Command Set(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The source id." };
        var scheduleId = new Argument<string>("SCHEDULE_ID") { Description = "The schedule's id: 1-63 characters of lowercase letters, digits, '-' and '_'. Setting an existing id replaces that schedule." };
        var cron = new Option<string?>("--cron") { Description = "A cron expression: 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, e.g. '0 2 * * *'." };
        var timeZone = new Option<string?>("--time-zone") { Description = "With --cron: the IANA time zone the expression is read in (default UTC), e.g. Europe/Berlin." };
        var every = new Option<string?>("--every") { Description = "A fixed interval instead of --cron, e.g. 30s, 15m, 1h30m, 7d (at least the server's minimum, 1m by default)." };
        var full = new Option<bool>("--full") { Description = "Check every range (default: incremental)." };
        var reportOnly = new Option<bool>("--report-only") { Description = "Only write the drift report (default: repair drift)." };
        var command = new Command("set", "Create or replace a reconciliation schedule.") { id, scheduleId, cron, timeZone, every, full, reportOnly };
        command.Validators.Add(result =>
        {
            if ((result.GetResult(cron) is null) == (result.GetResult(every) is null))
            {
                result.AddError("give exactly one of --cron EXPR or --every INTERVAL.");
            }
        });
        command.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var cronText = parse.GetValue(cron);
            var everyText = parse.GetValue(every);
            var schedule = new Schedule
            {
                TimeZone = parse.GetValue(timeZone) ?? string.Empty,
                Mode = parse.GetValue(full) ? "full" : "incremental",
                RepairPolicy = parse.GetValue(reportOnly) ? "report_only" : "auto",
            };
            if (cronText is not null)
            {
                schedule.Cron = cronText;
            }
            else
            {
                schedule.Every = everyText!;
            }
            var request = new SetScheduleRequest { SourceId = parse.GetValue(id)!, ScheduleId = parse.GetValue(scheduleId)!, Schedule = schedule };
            Print(call.Printer, await Client(call).SetScheduleAsync(request, deadline: call.Deadline, cancellationToken: call.CancellationToken));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command List(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The source id." };
        var command = new Command("list", "List a source's reconciliation schedules with their last and next firing.") { id };
        command.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var response = await Client(call).ListSchedulesAsync(new ListSchedulesRequest { SourceId = parse.GetValue(id)! }, deadline: call.Deadline, cancellationToken: call.CancellationToken);
            if (call.Printer.Json)
            {
                call.Printer.Message(response);
                return ExitCodes.Ok;
            }
            call.Printer.Rows(ListHeaders, response.Schedules.Select(s => (IReadOnlyList<string>)
            [
                s.ScheduleId,
                When(s),
                s.Mode,
                s.RepairPolicy,
                Formats.Time(s.NextFireTime),
                Formats.Time(s.LastFireTime),
                Formats.OrDash(s.LastOutcome),
                Formats.OrDash(s.LastReportId),
            ]));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command Delete(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The source id." };
        var scheduleId = new Argument<string>("SCHEDULE_ID") { Description = "The schedule's id." };
        var command = new Command("delete", "Delete a reconciliation schedule (a run it started keeps running).") { id, scheduleId };
        command.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var request = new DeleteScheduleRequest { SourceId = parse.GetValue(id)!, ScheduleId = parse.GetValue(scheduleId)! };
            var response = await Client(call).DeleteScheduleAsync(request, deadline: call.Deadline, cancellationToken: call.CancellationToken);
            if (call.Printer.Json)
            {
                call.Printer.Message(response);
            }
            else
            {
                call.Printer.Note($"deleted schedule {request.ScheduleId} of source {request.SourceId}");
            }
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    /// <summary>Prints one schedule: one line per field.</summary>
    private static void Print(Printer printer, Schedule s)
    {
        if (printer.Json)
        {
            printer.Message(s);
            return;
        }
        printer.Fields(
        [
            ("schedule_id", s.ScheduleId),
            ("source_id", s.SourceId),
            ("when", When(s)),
            ("mode", s.Mode),
            ("repair_policy", s.RepairPolicy),
            ("next_fire_time", Formats.Time(s.NextFireTime)),
            ("last_fire_time", Formats.Time(s.LastFireTime)),
            ("last_outcome", Formats.OrDash(s.LastOutcome)),
            ("last_report_id", Formats.OrDash(s.LastReportId)),
            ("update_time", Formats.Time(s.UpdateTime)),
            ("create_time", Formats.Time(s.CreateTime)),
        ]);
    }

    private static string When(Schedule s) => s.TimingCase == Schedule.TimingOneofCase.Every
        ? $"every {s.Every}"
        : $"cron {s.Cron} ({s.TimeZone})";

    private static Reconciliation.ReconciliationClient Client(CallContext call) => new(call.Channel);
}
