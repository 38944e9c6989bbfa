using MongoDB.Bson;
using SnapshotService.Testing.Mongo.Commands;
using SnapshotService.Testing.Mongo.Storage;

namespace SnapshotService.Testing.Mongo.ChangeStreams;

/// <summary>
/// Where a new change stream starts: resumeAfter/startAfter (after the token's event), startAtOperationTime
/// (including events at that time) or now. A start point older than the oplog window fails with
/// ChangeStreamHistoryLost (286), as on a real server.
/// </summary>
internal static class ChangeStreamStart
{
    public static void Apply(ChangeStreamCursor cursor, BsonDocument options, ServerState state)
    {
        var lastDropped = state.Oplog.LastDroppedValue;
        if (options.TryGetValue("resumeAfter", out var resumeAfter) || options.TryGetValue("startAfter", out resumeAfter))
        {
            var startAfter = options.Contains("startAfter");
            var token = ResumeToken.Parse(resumeAfter);
            if (token.Kind == ResumeTokenKind.Invalidate && !startAfter)
            {
                throw new CommandError(260, "InvalidResumeToken", "Cannot resume from an invalidate event; use startAfter to start a new stream after it");
            }
            // An event token needs its own event still in the oplog; a high-water mark only needs what follows it.
            var lost = token.Kind == ResumeTokenKind.Event ? lastDropped >= token.TsValue : lastDropped > token.TsValue;
            if (lost)
            {
                throw CommandError.HistoryLost();
            }
            cursor.Position = token.TsValue;
            if (token.Kind == ResumeTokenKind.Event && cursor.Scope == ChangeStreamScope.Collection)
            {
                var index = state.Oplog.IndexAfter(token.TsValue - 1);
                var entry = index < state.Oplog.Entries.Count ? state.Oplog.Entries[index] : null;
                cursor.InvalidatePending = entry is not null && entry.Ts.Value == token.TsValue
                    && entry.Operation is OplogOperation.Drop or OplogOperation.Rename;
            }
        }
        else if (options.TryGetValue("startAtOperationTime", out var startAt))
        {
            var ts = startAt.AsBsonTimestamp.Value;
            if (lastDropped >= ts)
            {
                throw CommandError.HistoryLost();
            }
            cursor.Position = ts - 1;
        }
        else
        {
            cursor.Position = state.Clock.Tick().Value;
        }
        cursor.PostBatchResumeToken = new ResumeToken(cursor.Position, ResumeTokenKind.HighWaterMark).ToDocument();
    }
}
