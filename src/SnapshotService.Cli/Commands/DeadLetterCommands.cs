using System.CommandLine;
using SnapshotService.Api.V1;
using SnapshotService.Cli.Output;

namespace SnapshotService.Cli.Commands;

/// <summary><c>snapshotctl deadletters list|retry|discard</c>.</summary>
internal static class DeadLetterCommands
{
    private static readonly string[] ListHeaders = ["ID", "KEY", "REASON", "SOURCE VERSION", "BYTES", "SET ASIDE", "DETAIL"];
    private static readonly string[] RetryHeaders = ["ID", "KEY", "OUTCOME", "DETAIL"];

    public static Command Build(CommandRunner runner)
    {
        var command = new Command("deadletters", "Documents capture set aside (too large, not JSON, breaking the contract): list, retry, discard.");
        command.Subcommands.Add(List(runner));
        command.Subcommands.Add(Retry(runner));
        command.Subcommands.Add(Discard(runner));
        return command;
    }

    private static Command List(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The source id." };
        var limit = new Option<int>("--limit") { Description = "At most this many (1-1000).", DefaultValueFactory = _ => 100 };
        var after = new Option<string>("--after") { Description = "Continue after this dead-letter id (the next_page_token of a previous page)." };
        var command = new Command("list", "List a source's dead letters in source-version order.") { id, limit, after };
        command.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var page = await Client(call).ListDeadLettersAsync(new ListDeadLettersRequest { SourceId = parse.GetValue(id)!, PageSize = parse.GetValue(limit), PageToken = parse.GetValue(after) ?? "" }, deadline: call.Deadline, cancellationToken: call.CancellationToken);
            call.Printer.Table(page, ListHeaders, page.DeadLetters, d =>
            [
                d.Id,
                d.Key,
                d.Reason,
                d.SourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Formats.Number(d.PayloadBytes),
                Formats.Time(d.DeadLetteredAt),
                d.Detail,
            ]);
            if (!call.Printer.Json && page.NextPageToken.Length > 0)
            {
                call.Printer.Note($"more: --after {page.NextPageToken}");
            }
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command Retry(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The source id." };
        var ids = new Argument<string[]>("DEAD_LETTER_ID") { Description = "Dead letters to retry (from 'deadletters list').", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all") { Description = "Retry the first 1000 dead letters." };
        var command = new Command("retry", "Check dead letters again (after fixing the contract) and write those that pass; newer captures win.") { id, ids, all };
        command.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var request = new RetryDeadLettersRequest { SourceId = parse.GetValue(id)!, All = parse.GetValue(all) };
            request.Ids.AddRange(parse.GetValue(ids) ?? []);
            var response = await Client(call).RetryDeadLettersAsync(request, deadline: call.Deadline, cancellationToken: call.CancellationToken);
            call.Printer.Table(response, RetryHeaders, response.Results, r => [r.Id, r.Key, Outcome(r.Outcome), r.Detail]);
            if (!call.Printer.Json)
            {
                call.Printer.Note($"{response.Written} written, {response.Superseded} superseded, {response.StillFailing} still failing, {response.NotFound} not found.");
            }
            return response.StillFailing > 0 ? ExitCodes.FailedPrecondition : ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command Discard(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The source id." };
        var ids = new Argument<string[]>("DEAD_LETTER_ID") { Description = "Dead letters to delete for good.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("discard", "Delete dead letters for good.") { id, ids };
        command.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var request = new DiscardDeadLettersRequest { SourceId = parse.GetValue(id)! };
            request.Ids.AddRange(parse.GetValue(ids) ?? []);
            var response = await Client(call).DiscardDeadLettersAsync(request, deadline: call.Deadline, cancellationToken: call.CancellationToken);
            call.Printer.Record(response, () =>
            [
                ("discarded", response.Discarded.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("not_found", Formats.OrDash(string.Join(" ", response.NotFound))),
            ]);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static string Outcome(RetryOutcome outcome) => outcome switch
    {
        RetryOutcome.Written => "written",
        RetryOutcome.Superseded => "superseded",
        RetryOutcome.StillFailing => "still failing",
        RetryOutcome.NotFound => "not found",
        _ => "unknown",
    };

    private static DeadLetters.DeadLettersClient Client(CallContext call) => new(call.Channel);
}
