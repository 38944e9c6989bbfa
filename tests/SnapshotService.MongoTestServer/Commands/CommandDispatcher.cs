using MongoDB.Bson;
using SnapshotService.Testing.Mongo.Storage;

namespace SnapshotService.Testing.Mongo.Commands;

/// <summary>The outcome of a command: a reply to send, or a connection to close (injected network drop).</summary>
internal sealed record CommandOutcome(BsonDocument? Reply, bool CloseConnection);

/// <summary>
/// Routes commands to handlers, applies planned faults first, turns failures into error replies and stamps
/// every reply with operationTime and $clusterTime as a replica-set member does.
/// </summary>
internal sealed class CommandDispatcher
{
    private readonly Dictionary<string, CommandHandler> _handlers = new(StringComparer.Ordinal);

    public CommandDispatcher()
    {
        HandshakeHandler.Register(this);
        WriteHandler.Register(this);
        FindAndModifyHandler.Register(this);
        FindHandler.Register(this);
        CursorHandler.Register(this);
        AggregateHandler.Register(this);
        CatalogHandler.Register(this);
        ReplicaSetHandler.Register(this);
    }

    public void Add(string name, CommandHandler handler) => _handlers[name] = handler;

    public void Add(string name, Func<CommandContext, BsonDocument> handler) =>
        _handlers[name] = context => Task.FromResult(handler(context));

    public async Task<CommandOutcome> ExecuteAsync(CommandContext context)
    {
        var name = context.Command.ElementCount > 0 ? context.Name : "";
        var faults = context.State.Faults.Take(name);
        if (faults.Delay > TimeSpan.Zero)
        {
            await Task.Delay(faults.Delay, context.CancellationToken).ConfigureAwait(false);
        }
        faults.Before?.Invoke();
        if (faults.Close == CloseMode.BeforeExecuting)
        {
            return new CommandOutcome(null, CloseConnection: true);
        }
        BsonDocument reply;
        if (faults.Error is not null)
        {
            reply = faults.Error.ToReply();
        }
        else if (!_handlers.TryGetValue(name, out var handler))
        {
            reply = new CommandError(59, "CommandNotFound", $"no such command: '{name}'").ToReply();
        }
        else
        {
            try
            {
                reply = await handler(context).ConfigureAwait(false);
            }
            catch (CommandError error)
            {
                reply = error.ToReply();
            }
            catch (Exception ex) when (ex is InvalidCastException or KeyNotFoundException or FormatException or ArgumentException)
            {
                // A malformed command: answer like the server's parser would instead of dropping the connection.
                reply = new CommandError(9, "FailedToParse", $"{name}: {ex.Message}").ToReply();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A bug in the test server: answer it (the driver would retry a dropped connection and hide it).
                reply = new CommandError(1, "InternalError", $"test server failed on '{name}': {ex}").ToReply();
            }
        }
        if (faults.Close == CloseMode.AfterExecuting)
        {
            return new CommandOutcome(null, CloseConnection: true);
        }
        StampClusterTime(reply, context.State);
        return new CommandOutcome(reply, CloseConnection: false);
    }

    private static void StampClusterTime(BsonDocument reply, ServerState state)
    {
        BsonTimestamp now;
        lock (state.Sync)
        {
            now = state.Clock.Current;
        }
        reply["operationTime"] = now;
        reply["$clusterTime"] = new BsonDocument
        {
            { "clusterTime", now },
            // Drivers gossip $clusterTime back verbatim; an all-zero signature is what an auth-less server sends.
            { "signature", new BsonDocument { { "hash", new BsonBinaryData(new byte[20]) }, { "keyId", 0L } } },
        };
    }
}
