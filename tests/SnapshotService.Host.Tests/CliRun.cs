extern alias snapshotctl;
using Cli = snapshotctl::SnapshotService.Cli;

namespace SnapshotService.Host.Tests;

/// <summary>What one in-process snapshotctl run printed (stdout not a terminal: tab-separated lines).</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public string[] Lines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The <c>name&lt;TAB&gt;value</c> lines of a single object's output.</summary>
    public Dictionary<string, string> Fields => Lines.Select(l => l.Split('\t', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
}

/// <summary>Runs snapshotctl in-process against a test host's gRPC endpoint.</summary>
public static class CliRun
{
    public static async Task<CliResult> RunAsync(HostFixture host, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Cli.SnapshotCtl.RunAsync(["--endpoint", host.GrpcEndpoint, .. args], new Cli.CliConsole(output, error, IsTerminal: false), _ => null);
        return new CliResult(code, output.ToString(), error.ToString());
    }
}
