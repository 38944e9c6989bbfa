using System.Diagnostics;
using System.Reflection;
using SnapshotService.Testing;

namespace SnapshotService.Infra.Tests;

/// <summary>Runs the Bicep CLI from the Azure.Bicep.CommandLine.linux-x64 package, offline.</summary>
public static class Bicep
{
    public static string Executable { get; } = FindExecutable();

    public static string Infra(string relative) => Path.Combine(RepositoryPaths.Root, "infra", relative);

    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        // No telemetry, and a dead proxy so that any outbound call would fail at once instead of
        // leaving the machine (the templates use no registry modules, so none is expected).
        info.Environment["BICEP_TRACING_ENABLED"] = "false";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["HTTPS_PROXY"] = "http://127.0.0.1:9";
        info.Environment["HTTP_PROXY"] = "http://127.0.0.1:9";
        info.Environment["NO_PROXY"] = "";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{Executable} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await errors);
    }

    private static string FindExecutable()
    {
        var fromBuild = typeof(Bicep).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "BicepPath")?.Value;
        var path = fromBuild?.Replace('\\', '/');
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new InvalidOperationException($"The Bicep CLI was not found at '{path}'; it comes from the Azure.Bicep.CommandLine.linux-x64 package restored with this project.");
        }
        // NuGet extraction may drop the execute bit (the package is linux-x64 only).
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
        }
        return path;
    }
}
