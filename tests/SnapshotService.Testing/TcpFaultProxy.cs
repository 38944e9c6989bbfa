using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace SnapshotService.Testing;

/// <summary>
/// A TCP forwarder on a free 127.0.0.1 port to another 127.0.0.1 port, for network partitions in
/// tests: <see cref="Cut"/> resets every open connection and refuses (resets) new ones until
/// <see cref="Heal"/>. Bytes are copied unchanged, so TLS through it still sees the target's
/// certificate.
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<int, (TcpClient Client, TcpClient Target)> _pairs = new();
    private readonly Task _acceptLoop;
    private volatile bool _cut;
    private int _lastId;

    private TcpFaultProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Starts forwarding 127.0.0.1:<see cref="Port"/> to 127.0.0.1:<paramref name="targetPort"/>.</summary>
    public static TcpFaultProxy Start(int targetPort) => new(targetPort);

    public int Port { get; }

    /// <summary>Connections refused while cut (a count for the test's report).</summary>
    public int Refused { get; private set; }

    /// <summary>Resets every open connection and refuses new ones until <see cref="Heal"/>.</summary>
    public void Cut()
    {
        _cut = true;
        foreach (var id in _pairs.Keys)
        {
            if (_pairs.TryRemove(id, out var pair))
            {
                Reset(pair.Client);
                Reset(pair.Target);
            }
        }
    }

    /// <summary>Accepts and forwards connections again.</summary>
    public void Heal() => _cut = false;

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        Cut();
        await _acceptLoop;
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            if (_cut)
            {
                Refused++;
                Reset(client);
                continue;
            }
            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        var target = new TcpClient();
        try
        {
            await target.ConnectAsync(IPAddress.Loopback, _targetPort, _stopping.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            Reset(client);
            target.Dispose();
            return;
        }
        client.NoDelay = true;
        target.NoDelay = true;
        var id = Interlocked.Increment(ref _lastId);
        _pairs[id] = (client, target);
        if (_cut)
        {
            // Cut while connecting: this pair missed the sweep.
            Cut();
            return;
        }
        try
        {
            var up = CopyAsync(client, target);
            var down = CopyAsync(target, client);
            await Task.WhenAny(up, down);
        }
        finally
        {
            if (_pairs.TryRemove(id, out _))
            {
                client.Dispose();
                target.Dispose();
            }
        }
    }

    private static async Task CopyAsync(TcpClient from, TcpClient to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            var input = from.GetStream();
            var output = to.GetStream();
            int read;
            while ((read = await input.ReadAsync(buffer)) > 0)
            {
                await output.WriteAsync(buffer.AsMemory(0, read));
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The other side went away, or the pair was cut.
        }
    }

    /// <summary>Closes with RST (linger 0), as a dropped network path looks to both ends.</summary>
    private static void Reset(TcpClient client)
    {
        try
        {
            client.Client.LingerState = new LingerOption(true, 0);
            client.Client.Close();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
        client.Dispose();
    }
}
