using MongoDB.Bson;

namespace SnapshotService.Testing.Mongo.Commands;

/// <summary>replSetGetStatus for the one-member set: member state and optimes (the newest oplog time).</summary>
internal static class ReplicaSetHandler
{
    public static void Register(CommandDispatcher dispatcher) => dispatcher.Add("replSetGetStatus", Status);

    private static BsonDocument Status(CommandContext context)
    {
        var state = context.State;
        BsonTimestamp last;
        lock (state.Sync)
        {
            last = state.Oplog.Entries.Count > 0 ? state.Oplog.Entries[^1].Ts : state.Clock.Current;
        }
        var opTime = new BsonDocument { { "ts", last }, { "t", 1L } };
        var opDate = new BsonDateTime(DateTimeOffset.FromUnixTimeSeconds(last.Timestamp).UtcDateTime);
        return new BsonDocument
        {
            { "set", state.Options.ReplicaSetName },
            { "date", new BsonDateTime(DateTime.UtcNow) },
            { "myState", 1 },
            { "term", 1L },
            { "optimes", new BsonDocument
                {
                    { "lastCommittedOpTime", opTime },
                    { "readConcernMajorityOpTime", opTime },
                    { "appliedOpTime", opTime },
                    { "durableOpTime", opTime },
                }
            },
            { "members", new BsonArray
                {
                    new BsonDocument
                    {
                        { "_id", 0 },
                        { "name", state.Address },
                        { "health", 1.0 },
                        { "state", 1 },
                        { "stateStr", "PRIMARY" },
                        { "optime", opTime },
                        { "optimeDate", opDate },
                        { "self", true },
                    },
                }
            },
            { "ok", 1.0 },
        };
    }
}
