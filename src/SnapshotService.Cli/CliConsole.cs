namespace SnapshotService.Cli;

/// <summary>Where the CLI writes. <see cref="IsTerminal"/> picks tables (terminal) or tab-separated lines (pipes, files, tests).</summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error, bool IsTerminal)
{
    /// <summary>The process's stdout/stderr; tables only when stdout is a terminal.</summary>
    public static CliConsole FromSystemConsole() => new(Console.Out, Console.Error, !Console.IsOutputRedirected);
}
