using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace SnapshotService.Testing.Redis;

/// <summary>
/// A real redis-server (Debian's package, installed by the test command) on a free loopback port,
/// for cluster membership in tests: without persistence, or with an append-only file fsynced on
/// every write so that a killed server restarts with its data. Disposing kills it.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly ServerProcess _process;

    private RedisServer(ServerProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>A StackExchange.Redis configuration string for this server.</summary>
    public string ConnectionString => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)},abortConnect=false";

    /// <summary>
    /// Starts a server on a free port, or on <paramref name="port"/> (a restart after an outage);
    /// with <paramref name="dataDirectory"/>, data survives a kill and restart there.
    /// </summary>
    public static async Task<RedisServer> StartAsync(int? port = null, string? dataDirectory = null, TimeSpan? timeout = null)
    {
        var executable = FindExecutable()
            ?? throw new InvalidOperationException("redis-server is not installed; ./test.sh installs it (scripts/install-test-prerequisites.sh).");
        var listenPort = port ?? FreePort.Next();
        var info = new ProcessStartInfo(executable) { WorkingDirectory = dataDirectory ?? Path.GetTempPath() };
        // Loopback only, no background snapshots; an fsynced append-only file only when asked.
        string[] persistence = dataDirectory is null
            ? ["--appendonly", "no"]
            : ["--dir", dataDirectory, "--appendonly", "yes", "--appendfsync", "always"];
        foreach (var argument in new[] { "--port", listenPort.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--protected-mode", "yes", "--daemonize", "no" }.Concat(persistence))
        {
            info.ArgumentList.Add(argument);
        }
        var server = new RedisServer(ServerProcess.Start(info, "redis-server"), listenPort);
        await server._process.WaitUntilAsync(server.AnswersPingAsync, timeout ?? TimeSpan.FromSeconds(20), $"answer PING on port {listenPort}");
        return server;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    /// <summary>
    /// Client connections open now (INFO clients: connected_clients), this query's own included:
    /// compared before and after an outage it says whether every client has reconnected.
    /// </summary>
    public async Task<int> ConnectedClientsAsync()
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Port);
        var stream = client.GetStream();
        await stream.WriteAsync("INFO clients\r\n"u8.ToArray());
        var reply = new StringBuilder();
        var buffer = new byte[4096];
        var match = Match.Empty;
        while (!match.Success)
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                throw new IOException($"redis-server closed the connection before answering INFO clients: '{reply}'");
            }
            reply.Append(Encoding.ASCII.GetString(buffer, 0, read));
            match = Regex.Match(reply.ToString(), @"connected_clients:(\d+)\r\n");
        }
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>True once the server answers PING with +PONG (it accepts commands).</summary>
    private async Task<bool> AnswersPingAsync()
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Port);
        var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray());
        var buffer = new byte[16];
        var read = await stream.ReadAsync(buffer);
        return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
    }

    private static string? FindExecutable() =>
        new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
        ?? (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "redis-server"))
            .FirstOrDefault(File.Exists);
}
