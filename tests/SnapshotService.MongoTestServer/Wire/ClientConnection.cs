using System.Net.Sockets;
using SnapshotService.Testing.Mongo.Commands;
using SnapshotService.Testing.Mongo.Storage;

namespace SnapshotService.Testing.Mongo.Wire;

/// <summary>
/// One client connection: requests are answered in order (drivers send one command at a time per connection).
/// Ends when the client hangs up, the server stops, or a fault asks for a dropped connection.
/// </summary>
internal sealed class ClientConnection(TcpClient client, int id, ServerState state, CommandDispatcher dispatcher)
{
    // Kept apart from the TcpClient, which forgets its socket once disposed while Abort may still run.
    private readonly Socket _socket = client.Client;

    public int Id { get; } = id;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var _ = client;
        client.NoDelay = true;
        var stream = client.GetStream();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var request = await MessageReader.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
                if (request is null)
                {
                    return;
                }
                var context = new CommandContext(state, request.Command, request.Database, Id, cancellationToken);
                var outcome = await dispatcher.ExecuteAsync(context).ConfigureAwait(false);
                if (outcome.CloseConnection)
                {
                    // RST rather than FIN so the driver sees the drop immediately, as with a crashed server.
                    _socket.LingerState = new LingerOption(true, 0);
                    return;
                }
                if (!request.MoreToCome)
                {
                    await MessageWriter.WriteReplyAsync(stream, request, outcome.Reply!, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidDataException)
        {
            // The client went away or the server is stopping: nothing to answer.
        }
    }

    public void Abort()
    {
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
            _socket.Close();
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
        }
    }
}
