using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace SnapshotService.Testing;

/// <summary>
/// The real host as a child process (dotnet SnapshotService.Host.dll) on free loopback ports, for
/// crash tests: <see cref="Kill"/> is SIGKILL, nothing in the host gets to clean up.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HostProcess(Process process, int httpPort, int grpcPort, int siloPort)
    {
        _process = process;
        HttpPort = httpPort;
        GrpcPort = grpcPort;
        SiloPort = siloPort;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int HttpPort { get; }

    public int GrpcPort { get; }

    /// <summary>The silo-to-silo port: GetSource's <c>silo</c> ends with it when this host runs the source.</summary>
    public int SiloPort { get; }

    public HttpClient Http { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>What the host printed so far (stdout and stderr), for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the host with <paramref name="settings"/> as configuration (key=value, ':'-separated keys).</summary>
    public static HostProcess Start(IReadOnlyDictionary<string, string> settings)
    {
        var httpPort = FreePort.Next();
        var grpcPort = FreePort.Next();
        var siloPort = FreePort.Next();
        var output = RepositoryPaths.ProgramOutput("SnapshotService.Host");
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = output,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(output, "SnapshotService.Host.dll"));
        var all = new Dictionary<string, string>(settings)
        {
            ["SnapshotService:Http:Url"] = $"http://127.0.0.1:{httpPort}",
            ["SnapshotService:Grpc:Url"] = $"http://127.0.0.1:{grpcPort}",
            ["SnapshotService:Orleans:SiloPort"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SnapshotService:Orleans:GatewayPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in all)
        {
            info.ArgumentList.Add($"--{key}={value}");
        }
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
        var host = new HostProcess(process, httpPort, grpcPort, siloPort);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Waits until GET /v1/sources/{id} answers 200 and returns its JSON.</summary>
    public async Task<JsonElement> WaitForSourceAsync(string sourceId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Host exited with code {_process.ExitCode}:\n{Output}");
            }
            try
            {
                using var response = await Http.GetAsync(new Uri($"/v1/sources/{sourceId}", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return await response.Content.ReadFromJsonAsync<JsonElement>();
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Host did not serve source '{sourceId}' within {timeout}:\n{Output}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>SIGKILL: the process gets no chance to flush or clean up.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.WaitForExit();
    }

    /// <summary>SIGTERM and wait: the host's graceful shutdown path.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return;
        }
        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"Host did not stop within {timeout} after SIGTERM:\n{Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        Http.Dispose();
        _process.Dispose();
        await Task.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            // Keep the tail only: a long crash test prints a lot.
            if (_output.Length > 200_000)
            {
                _output.Remove(0, 100_000);
            }
            _output.AppendLine(line);
        }
    }
}
