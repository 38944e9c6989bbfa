using System.CommandLine;
using System.Globalization;
using SnapshotService.Api.V1;
using SnapshotService.Cli.Output;

namespace SnapshotService.Cli.Commands;

/// <summary><c>snapshotctl schema get|diff</c> and <c>schema contract get|set|delete</c>.</summary>
internal static class SchemaCommands
{
    private static readonly string[] FieldHeaders = ["PATH", "TYPES", "PRESENCE", "DOCUMENTS", "EXAMPLE KEYS"];
    private static readonly string[] ChangeHeaders = ["CHANGE", "PATH", "TYPES BEFORE", "TYPES AFTER", "DOCUMENTS", "EXAMPLE KEYS"];

    public static Command Build(CommandRunner runner)
    {
        var command = new Command("schema", "The inferred schema of a source's documents, its changes between snapshots, and the source's contract.");
        command.Subcommands.Add(Get(runner));
        command.Subcommands.Add(Diff(runner));
        command.Subcommands.Add(Contract(runner));
        return command;
    }

    private static Command Get(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The source id." };
        var snapshot = new Option<string>("--snapshot") { Description = "The schema at this snapshot's anchor (default: up to the newest commit)." };
        var command = new Command("get", "Show field paths, their JSON types, presence and example keys.") { id, snapshot };
        command.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var schema = await Client(call).GetSchemaAsync(new GetSchemaRequest { SourceId = parse.GetValue(id)!, SnapshotId = parse.GetValue(snapshot) ?? "" }, deadline: call.Deadline, cancellationToken: call.CancellationToken);
            call.Printer.Table(schema, FieldHeaders, schema.Fields, f =>
            [
                f.Path,
                string.Join("|", f.Types_.Select(t => t.Type)),
                f.PresenceRatio.ToString("P1", CultureInfo.InvariantCulture),
                Formats.Number(f.Documents),
                string.Join(" ", f.Types_.SelectMany(t => t.ExampleKeys).Distinct().Take(3)),
            ]);
            if (!call.Printer.Json)
            {
                call.Printer.Note($"{schema.Fields.Count} fields over {schema.Documents:N0} document versions up to seq {schema.ThroughSeq:N0}{(schema.TruncatedFields > 0 ? $"; {schema.TruncatedFields} paths beyond the field limit not tracked" : "")}.");
            }
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command Diff(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The source id." };
        var from = new Argument<string>("FROM_SNAPSHOT") { Description = "The older snapshot." };
        var to = new Argument<string>("TO_SNAPSHOT") { Description = "The newer snapshot (default: up to the newest commit).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("diff", "Fields added, removed and with new types between two snapshots.") { id, from, to };
        command.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var diff = await Client(call).DiffSchemasAsync(new DiffSchemasRequest { SourceId = parse.GetValue(id)!, FromSnapshotId = parse.GetValue(from)!, ToSnapshotId = parse.GetValue(to) ?? "" }, deadline: call.Deadline, cancellationToken: call.CancellationToken);
            var rows = diff.Added.Select(c => ("added", c)).Concat(diff.Removed.Select(c => ("removed", c))).Concat(diff.TypeChanged.Select(c => ("type changed", c)));
            call.Printer.Table(diff, ChangeHeaders, rows, r =>
            [
                r.Item1,
                r.c.Path,
                Formats.OrDash(string.Join("|", r.c.TypesBefore)),
                Formats.OrDash(string.Join("|", r.c.TypesAfter)),
                Formats.Number(r.c.Documents),
                string.Join(" ", r.c.ExampleKeys),
            ]);
            if (!call.Printer.Json)
            {
                call.Printer.Note($"seq {diff.FromSeq:N0} → {diff.ToSeq:N0}: {diff.DocumentsBetween:N0} document versions written between; {diff.Added.Count} added, {diff.Removed.Count} removed, {diff.TypeChanged.Count} with new types.");
            }
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command Contract(CommandRunner runner)
    {
        var command = new Command("contract", "The source's JSON Schema contract (checked on capture; violations flagged or dead-lettered).");
        var getId = new Argument<string>("ID") { Description = "The source id." };
        var get = new Command("get", "Show the contract.") { getId };
        get.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            Print(call, await Client(call).GetContractAsync(new GetContractRequest { SourceId = parse.GetValue(getId)! }, deadline: call.Deadline, cancellationToken: call.CancellationToken));
            return ExitCodes.Ok;
        }, ct));

        var setId = new Argument<string>("ID") { Description = "The source id." };
        var file = new Argument<FileInfo>("SCHEMA_FILE") { Description = "A JSON Schema file (only '#/...' references)." };
        var policy = new Option<string>("--policy") { Description = "flag: export violating documents and count them; dead_letter: set them aside.", DefaultValueFactory = _ => "flag" };
        policy.AcceptOnlyFromAmong("flag", "dead_letter");
        var set = new Command("set", "Set the contract; it applies from the next commit.") { setId, file, policy };
        set.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.InvalidArgument, $"SCHEMA_FILE '{path.FullName}' does not exist."));
            }
            var schema = await File.ReadAllTextAsync(path.FullName, call.CancellationToken);
            Print(call, await Client(call).SetContractAsync(new SetContractRequest { SourceId = parse.GetValue(setId)!, JsonSchema = schema, Policy = parse.GetValue(policy)! }, deadline: call.Deadline, cancellationToken: call.CancellationToken));
            return ExitCodes.Ok;
        }, ct));

        var deleteId = new Argument<string>("ID") { Description = "The source id." };
        var delete = new Command("delete", "Remove the contract.") { deleteId };
        delete.SetAction((parse, ct) => runner.RunAsync(parse, async call =>
        {
            Print(call, await Client(call).DeleteContractAsync(new DeleteContractRequest { SourceId = parse.GetValue(deleteId)! }, deadline: call.Deadline, cancellationToken: call.CancellationToken));
            return ExitCodes.Ok;
        }, ct));

        command.Subcommands.Add(get);
        command.Subcommands.Add(set);
        command.Subcommands.Add(delete);
        return command;
    }

    private static void Print(CallContext call, Api.V1.Contract contract) => call.Printer.Record(contract, () =>
    [
        ("source_id", contract.SourceId),
        ("present", contract.Present ? "true" : "false"),
        ("policy", Formats.OrDash(contract.Policy)),
        ("updated_at", Formats.Time(contract.UpdatedAt)),
        ("json_schema", Formats.OrDash(contract.JsonSchema)),
    ]);

    private static Schemas.SchemasClient Client(CallContext call) => new(call.Channel);
}
