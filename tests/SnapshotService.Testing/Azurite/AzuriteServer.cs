using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace SnapshotService.Testing.Azurite;

/// <summary>
/// A real Azurite blob service (npm package in tests/azurite, installed by the test command) on
/// 127.0.0.1 and a free port, with telemetry off and its data in a temp directory; killed on dispose.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account (public, documented by Azurite; not a secret).</summary>
    private const string DevAccount = "devstoreaccount1";
    private const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;
    private readonly TempDirectory _data;
    private readonly StringBuilder _output = new();

    private AzuriteServer(Process process, TempDirectory data, int port)
    {
        _process = process;
        _data = data;
        Port = port;
    }

    public int Port { get; }

    /// <summary>A connection string for the development account on this server.</summary>
    public string ConnectionString =>
        string.Create(CultureInfo.InvariantCulture, $"DefaultEndpointsProtocol=http;AccountName={DevAccount};AccountKey={DevKey};BlobEndpoint=http://127.0.0.1:{Port}/{DevAccount};");

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

    public static async Task<AzuriteServer> StartAsync()
    {
        var main = Path.Combine(RepositoryPaths.Root, "tests/azurite/node_modules/azurite/dist/src/blob/main.js");
        if (!File.Exists(main))
        {
            throw new InvalidOperationException($"Azurite is not installed ({main} is missing); ./test.sh installs it (scripts/install-test-prerequisites.sh → tests/azurite).");
        }
        var data = new TempDirectory("azurite");
        var port = FreePort.Next();
        var info = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = data.Path,
        };
        foreach (var argument in new[] { main, "--blobHost", "127.0.0.1", "--blobPort", port.ToString(CultureInfo.InvariantCulture), "--location", data.Path, "--skipApiVersionCheck", "--loose", "--disableTelemetry", "--silent" })
        {
            info.ArgumentList.Add(argument);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("node did not start Azurite.");
        var server = new AzuriteServer(process, data, port);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(30));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _data.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private async Task WaitUntilListeningAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode}:\n{Output}");
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                // Not listening yet.
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Azurite did not listen on 127.0.0.1:{Port} within {timeout}:\n{Output}");
            }
            await Task.Delay(100);
        }
    }
}
