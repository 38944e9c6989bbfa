using MongoDB.Bson;
using SnapshotService.Testing.Mongo.Storage;

namespace SnapshotService.Testing.Mongo.Commands;

/// <summary>One command being executed: its document, database, the server state and the connection it came on.</summary>
internal sealed record CommandContext(ServerState State, BsonDocument Command, string Database, int ConnectionId, CancellationToken CancellationToken)
{
    public string Name => Command.GetElement(0).Name;

    /// <summary>The command's first value: the collection name for most commands, the cursor id for getMore.</summary>
    public BsonValue Argument => Command[0];

    public string CollectionArgument => Argument is BsonString s
        ? s.Value
        : throw new CommandError(73, "InvalidNamespace", $"collection name has invalid type {Argument.BsonType}");

    /// <summary>The session and transaction number of a retryable write, if the command carried them.</summary>
    public WriteSession? Session =>
        Command.TryGetValue("txnNumber", out var txn) && Command.TryGetValue("lsid", out var lsid) && lsid is BsonDocument lsidDoc
            ? new WriteSession((BsonDocument)lsidDoc.DeepClone(), txn.ToInt64())
            : null;

    public int? BatchSize(BsonDocument? holder) =>
        holder is not null && holder.TryGetValue("batchSize", out var size) && size.IsNumeric ? size.ToInt32() : null;
}

/// <summary>Executes one command and returns its reply document (without operationTime/$clusterTime, added by the dispatcher).</summary>
internal delegate Task<BsonDocument> CommandHandler(CommandContext context);
