using System.Diagnostics;
using System.Globalization;

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

    private readonly ServerProcess _process;
    private readonly TempDirectory _data;

    private AzuriteServer(ServerProcess process, TempDirectory data, int port)
    {
        _process = process;
        _data = data;
        Port = port;
    }

    public int Port { get; }

    /// <summary>A connection string for the development account on this server.</summary>
    public string ConnectionString =>
        string.Create(CultureInfo.InvariantCulture, $"DefaultEndpointsProtocol=http;AccountName={DevAccount};AccountKey={DevKey};BlobEndpoint=http://127.0.0.1:{Port}/{DevAccount};");

    public string Output => _process.Output;

    public static async Task<AzuriteServer> StartAsync()
    {
        var main = Path.Combine(RepositoryPaths.Root, "tests/azurite/node_modules/azurite/dist/src/blob/main.js");
        if (!File.Exists(main))
        {
            throw new InvalidOperationException($"Azurite is not installed ({main} is missing); ./test.sh installs it (scripts/install-test-prerequisites.sh → tests/azurite).");
        }
        var data = new TempDirectory("azurite");
        var port = FreePort.Next();
        var info = new ProcessStartInfo("node") { WorkingDirectory = data.Path };
        foreach (var argument in new[] { main, "--blobHost", "127.0.0.1", "--blobPort", port.ToString(CultureInfo.InvariantCulture), "--location", data.Path, "--skipApiVersionCheck", "--loose", "--disableTelemetry", "--silent" })
        {
            info.ArgumentList.Add(argument);
        }
        var server = new AzuriteServer(ServerProcess.Start(info, "Azurite"), data, port);
        await server._process.WaitUntilAsync(() => ServerProcess.AcceptsConnectionsAsync(port), TimeSpan.FromSeconds(30), $"listen on 127.0.0.1:{port}");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _data.Dispose();
    }
}
