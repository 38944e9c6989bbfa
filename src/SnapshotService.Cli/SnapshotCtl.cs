using System.CommandLine;
using SnapshotService.Cli.Commands;

namespace SnapshotService.Cli;

/// <summary>The snapshotctl command tree, buildable in-process (tests run it against a test host).</summary>
public static class SnapshotCtl
{
    /// <summary>Builds the root command writing to <paramref name="console"/>; <paramref name="environment"/> reads variables (default: the process's).</summary>
    public static RootCommand BuildRootCommand(CliConsole console, Func<string, string?>? environment = null)
    {
        var globals = new GlobalOptions(environment ?? Environment.GetEnvironmentVariable);
        var runner = new CommandRunner(console, globals);
        var root = new RootCommand("snapshotctl: control SnapshotService sources and snapshots over gRPC.");
        root.Options.Add(globals.Endpoint);
        root.Options.Add(globals.Json);
        root.Options.Add(globals.NoColor);
        root.Options.Add(globals.ApiKey);
        root.Options.Add(globals.Token);
        root.Subcommands.Add(SourcesCommands.Build(runner));
        root.Subcommands.Add(SnapshotsCommands.Build(runner));
        root.Subcommands.Add(ReconcileCommands.Build(runner));
        root.Subcommands.Add(DriftCommands.Build(runner));
        root.Subcommands.Add(ScheduleCommands.Build(runner));
        root.Subcommands.Add(SchemaCommands.Build(runner));
        root.Subcommands.Add(DeadLetterCommands.Build(runner));
        return root;
    }

    /// <summary>
    /// Parses and runs <paramref name="args"/>. Usage errors print <c>error: …</c> to stderr and
    /// return <see cref="ExitCodes.InvalidArgument"/>; RPC failures print
    /// <c>error: &lt;StatusCode&gt;: &lt;message&gt;</c> and return the status family's exit code.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, CliConsole console, Func<string, string?>? environment = null, CancellationToken cancellationToken = default)
    {
        var root = BuildRootCommand(console, environment);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await console.Error.WriteLineAsync($"error: {error.Message}");
            }
            await console.Error.WriteLineAsync("Run 'snapshotctl --help' for usage.");
            return ExitCodes.InvalidArgument;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { Output = console.Out, Error = console.Error }, cancellationToken);
    }
}
