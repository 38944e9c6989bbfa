using System.Diagnostics;
using MongoDB.Bson;
using SnapshotService.Testing.Mongo.ChangeStreams;
using SnapshotService.Testing.Mongo.Cursors;

namespace SnapshotService.Testing.Mongo.Commands;

/// <summary>getMore (find cursors and tailable-await change-stream cursors) and killCursors.</summary>
internal static class CursorHandler
{
    /// <summary>How long a change-stream getMore waits for new events when the client sends no maxTimeMS (the server's default).</summary>
    private static readonly TimeSpan DefaultAwait = TimeSpan.FromSeconds(1);

    public static void Register(CommandDispatcher dispatcher)
    {
        dispatcher.Add("getMore", GetMoreAsync);
        dispatcher.Add("killCursors", KillCursors);
    }

    private static async Task<BsonDocument> GetMoreAsync(CommandContext context)
    {
        var id = context.Argument.ToInt64();
        var cursor = context.State.Cursors.Get(id)
            ?? throw new CommandError(43, "CursorNotFound", $"cursor id {id} not found");
        var batchSize = context.BatchSize(context.Command);
        if (cursor is FindCursor find)
        {
            BsonArray batch;
            lock (context.State.Sync)
            {
                batch = find.NextBatch(batchSize);
            }
            if (find.Exhausted)
            {
                context.State.Cursors.Remove(id);
            }
            return Reply(find.Exhausted ? 0 : id, find.Namespace, batch, postBatchResumeToken: null);
        }
        var stream = (ChangeStreamCursor)cursor;
        var maxAwait = context.Command.TryGetValue("maxTimeMS", out var ms) ? TimeSpan.FromMilliseconds(ms.ToInt64()) : DefaultAwait;
        var batchEvents = await AwaitEventsAsync(stream, context, batchSize, maxAwait).ConfigureAwait(false);
        if (stream.Closed)
        {
            context.State.Cursors.Remove(id);
        }
        return Reply(stream.Closed ? 0 : id, stream.ReplyNamespace, batchEvents, stream.PostBatchResumeToken);
    }

    /// <summary>
    /// Tailable-await: returns as soon as events exist, otherwise holds the reply until maxTimeMS and then answers
    /// an empty batch whose postBatchResumeToken has still moved forward.
    /// </summary>
    private static async Task<BsonArray> AwaitEventsAsync(ChangeStreamCursor stream, CommandContext context, int? batchSize, TimeSpan maxAwait)
    {
        var state = context.State;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Task appended;
            lock (state.Sync)
            {
                var batch = ChangeStreamReader.ReadBatch(stream, state, batchSize);
                if (batch.Count > 0 || stream.Closed)
                {
                    return batch;
                }
                var remaining = maxAwait - clock.Elapsed;
                if (remaining <= TimeSpan.Zero)
                {
                    ChangeStreamReader.AdvanceIdle(stream, state);
                    return batch;
                }
                appended = state.Oplog.NextAppend;
            }
            var wait = maxAwait - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.WhenAny(appended, Task.Delay(wait, context.CancellationToken)).ConfigureAwait(false);
                context.CancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    private static BsonDocument KillCursors(CommandContext context)
    {
        var killed = new BsonArray();
        var notFound = new BsonArray();
        foreach (var id in context.Command.GetValue("cursors", new BsonArray()).AsBsonArray)
        {
            (context.State.Cursors.Remove(id.ToInt64()) ? killed : notFound).Add(id);
        }
        return new BsonDocument
        {
            { "cursorsKilled", killed },
            { "cursorsNotFound", notFound },
            { "cursorsAlive", new BsonArray() },
            { "cursorsUnknown", new BsonArray() },
            { "ok", 1.0 },
        };
    }

    public static BsonDocument Reply(long id, string ns, BsonArray batch, BsonDocument? postBatchResumeToken)
    {
        var cursor = new BsonDocument { { "nextBatch", batch } };
        if (postBatchResumeToken is not null)
        {
            cursor["postBatchResumeToken"] = postBatchResumeToken.DeepClone();
        }
        cursor["id"] = id;
        cursor["ns"] = ns;
        return new BsonDocument { { "cursor", cursor }, { "ok", 1.0 } };
    }
}
