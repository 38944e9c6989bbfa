using System.Diagnostics;
using System.Text;
using SnapshotService.Testing;

namespace SnapshotService.Host.Tests;

/// <summary>
/// Runs Debian's <c>chromium</c> headless against a loopback URL, one process per call, with a
/// fresh profile and a network log. Chromium cannot reach the network: every host name except
/// 127.0.0.1 resolves to "not found" inside the browser (so no DNS query leaves it either), proxies
/// from the environment are ignored, and background services (sync, updates, autofill) are off.
/// </summary>
public static class HeadlessChromium
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>The browser's path; fails with how to install it when it is missing (never a skip).</summary>
    public static string Executable => Locate();

    /// <summary>Loads <paramref name="url"/>, lets its scripts run for <paramref name="virtualTime"/> of virtual time, and returns the DOM as HTML.</summary>
    public static Task<ChromiumRun> DumpDomAsync(string url, TimeSpan virtualTime) =>
        RunAsync(url, ["--dump-dom", VirtualTimeBudget(virtualTime)]);

    /// <summary>Loads <paramref name="url"/> in a 1280×900 window and saves a PNG of it to <paramref name="path"/>.</summary>
    public static async Task<ChromiumRun> ScreenshotAsync(string url, string path, TimeSpan virtualTime)
    {
        var run = await RunAsync(url, [$"--screenshot={path}", "--window-size=1280,900", "--hide-scrollbars", VirtualTimeBudget(virtualTime)]);
        Assert.True(File.Exists(path) && new FileInfo(path).Length > 0, $"Chromium wrote no screenshot to {path}.\n{run.Diagnostics}");
        return run;
    }

    private static string VirtualTimeBudget(TimeSpan budget) =>
        "--virtual-time-budget=" + ((long)budget.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<ChromiumRun> RunAsync(string url, string[] action)
    {
        Assert.StartsWith("http://127.0.0.1:", url, StringComparison.Ordinal);
        using var profile = new TempDirectory("snapsvc-chromium");
        var netLog = Path.Combine(profile.Path, "netlog.json");
        var executable = Executable;
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in IsolationFlags(profile.Path, netLog).Concat(action).Append(url))
        {
            start.ArgumentList.Add(argument);
        }
        // No proxy from the environment, whatever the flags: a proxy would resolve names for the browser.
        foreach (var variable in new[] { "http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY" })
        {
            start.Environment.Remove(variable);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"Chromium did not finish within {Timeout.TotalSeconds:0} s loading {url}.\n{await stderr}");
        }
        var run = new ChromiumRun(process.ExitCode, await stdout, await stderr, NetLog.Read(netLog));
        Assert.True(run.ExitCode == 0, $"Chromium exited with code {run.ExitCode} loading {url}.\n{run.Diagnostics}");
        return run;
    }

    /// <summary>The brief's flags, plus the ones that keep the browser's own services off the network.</summary>
    private static IEnumerable<string> IsolationFlags(string profile, string netLog) =>
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-domain-reliability",
        "--disable-client-side-phishing-detection",
        "--disable-breakpad",
        "--no-pings",
        "--no-default-browser-check",
        "--metrics-recording-only",
        // The page has a password field: without this, autofill asks a server about the form.
        "--disable-features=AutofillServerCommunication,NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate",
        "--no-proxy-server",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        $"--user-data-dir={profile}",
        $"--log-net-log={netLog}",
    ];

    private static string Locate()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "chromium");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException(
            "The operator page's browser test needs Debian's 'chromium', which is not on PATH. " +
            "./test.sh installs it (scripts/install-test-prerequisites.sh runs 'apt-get install -y chromium' when it is missing); " +
            "when running 'dotnet test' directly, run that script first (as root) or 'apt-get install chromium'.");
    }
}

/// <summary>What one Chromium run printed (the DOM for --dump-dom) and what it did on the network.</summary>
public sealed record ChromiumRun(int ExitCode, string Output, string Errors, NetLog NetLog)
{
    /// <summary>Exit code and the end of stderr, for failure messages.</summary>
    public string Diagnostics
    {
        get
        {
            var builder = new StringBuilder().Append("exit code ").Append(ExitCode).AppendLine();
            builder.AppendLine("stderr (end):").AppendLine(Errors.Length > 4000 ? Errors[^4000..] : Errors);
            return builder.ToString();
        }
    }
}
