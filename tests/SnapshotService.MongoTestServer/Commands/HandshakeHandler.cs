using MongoDB.Bson;

namespace SnapshotService.Testing.Mongo.Commands;

/// <summary>
/// hello/isMaster (presenting a one-member replica-set primary), ping, buildInfo, getParameter, endSessions and
/// the SASL commands. topologyVersion is left out on purpose: the driver's monitor then polls instead of
/// streaming hello, which this server does not implement.
/// </summary>
internal static class HandshakeHandler
{
    private static readonly ObjectId ElectionId = ObjectId.GenerateNewId();

    public static void Register(CommandDispatcher dispatcher)
    {
        dispatcher.Add("hello", Hello);
        dispatcher.Add("isMaster", Hello);
        dispatcher.Add("ismaster", Hello);
        dispatcher.Add("ping", _ => Ok());
        dispatcher.Add("buildInfo", BuildInfo);
        dispatcher.Add("buildinfo", BuildInfo);
        dispatcher.Add("getParameter", GetParameter);
        dispatcher.Add("endSessions", _ => Ok());
        dispatcher.Add("saslStart", Sasl);
        dispatcher.Add("saslContinue", Sasl);
    }

    private static BsonDocument Ok() => new("ok", 1.0);

    private static BsonDocument Hello(CommandContext context)
    {
        var state = context.State;
        BsonTimestamp lastWrite;
        lock (state.Sync)
        {
            lastWrite = state.Clock.Current;
        }
        var opTime = new BsonDocument { { "ts", lastWrite }, { "t", 1L } };
        var lastWriteDate = new BsonDateTime(DateTimeOffset.FromUnixTimeSeconds(lastWrite.Timestamp).UtcDateTime);
        return new BsonDocument
        {
            { "helloOk", true },
            { "isWritablePrimary", true },
            { "ismaster", true },
            { "secondary", false },
            { "setName", state.Options.ReplicaSetName },
            { "setVersion", 1 },
            { "hosts", new BsonArray { state.Address } },
            { "primary", state.Address },
            { "me", state.Address },
            { "electionId", ElectionId },
            { "lastWrite", new BsonDocument
                {
                    { "opTime", opTime },
                    { "lastWriteDate", lastWriteDate },
                    { "majorityOpTime", opTime.DeepClone() },
                    { "majorityWriteDate", lastWriteDate },
                }
            },
            { "maxBsonObjectSize", 16 * 1024 * 1024 },
            { "maxMessageSizeBytes", 48_000_000 },
            { "maxWriteBatchSize", 100_000 },
            { "localTime", new BsonDateTime(DateTime.UtcNow) },
            { "logicalSessionTimeoutMinutes", 30 },
            { "connectionId", context.ConnectionId },
            { "minWireVersion", 0 },
            { "maxWireVersion", 21 },
            { "readOnly", false },
            { "ok", 1.0 },
        };
    }

    private static BsonDocument BuildInfo(CommandContext context) => new()
    {
        { "version", "7.0.0" },
        { "gitVersion", "snapshotservice-mongo-test-server" },
        { "versionArray", new BsonArray { 7, 0, 0, 0 } },
        { "bits", 64 },
        { "maxBsonObjectSize", 16 * 1024 * 1024 },
        { "ok", 1.0 },
    };

    private static BsonDocument GetParameter(CommandContext context)
    {
        var reply = new BsonDocument();
        if (context.Command.Contains("featureCompatibilityVersion") || context.Argument is BsonString { Value: "*" })
        {
            reply["featureCompatibilityVersion"] = new BsonDocument("version", "7.0");
        }
        reply["ok"] = 1.0;
        return reply;
    }

    /// <summary>SCRAM is not implemented: credentials are rejected, with a message saying why unless a test asked for the rejection.</summary>
    private static BsonDocument Sasl(CommandContext context) =>
        context.State.Faults.TryRejectAuthentication()
            ? throw new CommandError(18, "AuthenticationFailed", "Authentication failed.")
            : throw new CommandError(334, "MechanismUnavailable",
                "The SnapshotService MongoDB test server does not implement authentication; connect without credentials.");
}
