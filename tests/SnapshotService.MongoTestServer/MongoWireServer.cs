using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using SnapshotService.Testing.Mongo.Commands;
using SnapshotService.Testing.Mongo.Storage;
using SnapshotService.Testing.Mongo.Wire;

namespace SnapshotService.Testing.Mongo;

/// <summary>
/// An in-process MongoDB wire-protocol server that presents itself as the primary of a one-member replica set,
/// so MongoDB.Driver (and other drivers) can run CRUD and change streams against it in tests. Binds 127.0.0.1 only.
/// See docs/testing/mongo-test-server.md for what it implements and how it differs from a real server.
/// </summary>
public sealed class MongoWireServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly ServerState _state;
    private readonly CommandDispatcher _dispatcher = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<int, (ClientConnection Connection, Task Run)> _connections = new();
    private Task _acceptLoop = Task.CompletedTask;
    private int _lastConnectionId;

    private MongoWireServer(TcpListener listener, ServerState state)
    {
        _listener = listener;
        _state = state;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        state.Address = $"127.0.0.1:{Port}";
        Data = new MongoServerData(state);
    }

    /// <summary>Starts a server on 127.0.0.1 (a free port unless the options name one).</summary>
    public static Task<MongoWireServer> StartAsync(MongoWireServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        options ??= new MongoWireServerOptions();
        var listener = new TcpListener(IPAddress.Loopback, options.Port);
        listener.Start();
        var server = new MongoWireServer(listener, new ServerState(options));
        server._acceptLoop = server.AcceptLoopAsync();
        return Task.FromResult(server);
    }

    public int Port { get; }

    /// <summary>Connection string naming the replica set, which is what makes the driver treat the server as a primary.</summary>
    public string ConnectionString => $"mongodb://127.0.0.1:{Port}/?replicaSet={_state.Options.ReplicaSetName}";

    public MongoFaults Faults => _state.Faults;

    public MongoServerData Data { get; }

    /// <summary>Connections currently open (drivers keep a monitor connection plus pooled ones).</summary>
    public int OpenConnections => _connections.Count;

    /// <summary>Closes the listener and every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        foreach (var (connection, _) in _connections.Values)
        {
            connection.Abort();
        }
        await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(_connections.Values.Select(c => c.Run)).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            var id = Interlocked.Increment(ref _lastConnectionId);
            var connection = new ClientConnection(client, id, _state, _dispatcher);
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections[id] = (connection, RunConnectionAsync(connection, started.Task));
            started.SetResult();
        }
    }

    private async Task RunConnectionAsync(ClientConnection connection, Task registered)
    {
        await registered.ConfigureAwait(false);
        try
        {
            await connection.RunAsync(_stopping.Token).ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(connection.Id, out _);
        }
    }
}
