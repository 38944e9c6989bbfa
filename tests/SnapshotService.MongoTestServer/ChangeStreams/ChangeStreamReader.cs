using MongoDB.Bson;
using SnapshotService.Testing.Mongo.Commands;
using SnapshotService.Testing.Mongo.Storage;

namespace SnapshotService.Testing.Mongo.ChangeStreams;

/// <summary>Reads the next batch of a change stream from the oplog. Callers hold the server lock.</summary>
internal static class ChangeStreamReader
{
    public static BsonArray ReadBatch(ChangeStreamCursor cursor, ServerState state, int? batchSize)
    {
        var batch = new BsonArray();
        var max = batchSize is > 0 ? batchSize.Value : int.MaxValue;
        if (cursor.InvalidatePending)
        {
            Invalidate(cursor, batch, cursor.Position, DateTime.UtcNow);
            return batch;
        }
        var oplog = state.Oplog;
        // The oplog rolled past entries this cursor had not read yet: a real server fails the getMore the same way.
        if (oplog.LastDroppedValue > cursor.Position)
        {
            throw CommandError.HistoryLost();
        }
        for (var i = oplog.IndexAfter(cursor.Position); i < oplog.Entries.Count; i++)
        {
            var entry = oplog.Entries[i];
            cursor.Position = entry.Ts.Value;
            if (!InScope(entry, cursor))
            {
                continue;
            }
            var ev = ChangeEventBuilder.Build(entry, cursor, state.Catalog);
            if (cursor.MatchStages.All(m => FilterMatcher.Matches(ev, m)))
            {
                batch.Add(ev);
            }
            if (cursor.Scope == ChangeStreamScope.Collection && entry.Operation is OplogOperation.Drop or OplogOperation.Rename)
            {
                Invalidate(cursor, batch, entry.Ts.Value, entry.Wall);
                return batch;
            }
            if (batch.Count >= max)
            {
                cursor.PostBatchResumeToken = new ResumeToken(entry.Ts.Value, ResumeTokenKind.Event).ToDocument();
                return batch;
            }
        }
        cursor.PostBatchResumeToken = new ResumeToken(cursor.Position, ResumeTokenKind.HighWaterMark).ToDocument();
        return batch;
    }

    /// <summary>
    /// Nothing new until the await timed out: take a fresh cluster time so the postBatchResumeToken keeps
    /// advancing on an idle stream (a real replica set gets the same from its periodic no-op oplog writes).
    /// </summary>
    public static void AdvanceIdle(ChangeStreamCursor cursor, ServerState state)
    {
        cursor.Position = state.Clock.Tick().Value;
        cursor.PostBatchResumeToken = new ResumeToken(cursor.Position, ResumeTokenKind.HighWaterMark).ToDocument();
    }

    private static void Invalidate(ChangeStreamCursor cursor, BsonArray batch, long tsValue, DateTime wall)
    {
        var ev = ChangeEventBuilder.Invalidate(tsValue, wall);
        batch.Add(ev);
        cursor.PostBatchResumeToken = ev["_id"].AsBsonDocument;
        cursor.InvalidatePending = false;
        cursor.Closed = true;
    }

    private static bool InScope(OplogEntry entry, ChangeStreamCursor cursor) => cursor.Scope switch
    {
        ChangeStreamScope.Collection => entry.Database == cursor.Database && entry.Collection == cursor.Collection,
        ChangeStreamScope.Database => entry.Database == cursor.Database,
        _ => true,
    };
}
