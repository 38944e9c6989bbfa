using MongoDB.Driver;

namespace SnapshotService.Sources.Mongo;

/// <summary>How the adapter treats a failed MongoDB operation.</summary>
public enum MongoErrorKind
{
    /// <summary>Not a MongoDB problem the adapter knows how to handle: passed on.</summary>
    Unknown = 0,

    /// <summary>Worth retrying with backoff: network, elections, NotWritablePrimary, retryable labels.</summary>
    Transient = 1,

    /// <summary>ChangeStreamHistoryLost (286): the oplog no longer holds the resume point.</summary>
    HistoryLost = 2,

    /// <summary>Retrying cannot help (auth, not a replica set, missing privileges): the source fails with the reason.</summary>
    Fatal = 3,
}

/// <summary>Classifies driver exceptions and turns fatal ones into messages a user can act on.</summary>
public static class MongoErrors
{
    /// <summary>ChangeStreamHistoryLost.</summary>
    public const int HistoryLostCode = 286;

    /// <summary>"The $changeStream stage is only supported on replica sets".</summary>
    public const int ChangeStreamsNotSupportedCode = 40573;

    private static readonly HashSet<int> TransientCodes =
    [
        6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 63, 150, 234, 133, 10058, 50,
    ];

    /// <summary>What kind of failure <paramref name="exception"/> is.</summary>
    public static MongoErrorKind Classify(Exception exception) => exception switch
    {
        // Before the connection case: an authentication failure is a MongoConnectionException too.
        MongoAuthenticationException => MongoErrorKind.Fatal,
        MongoCommandException { Code: 18 or 13 or 8000 or ChangeStreamsNotSupportedCode or 26 or 73 } => MongoErrorKind.Fatal,
        MongoCommandException { Code: HistoryLostCode } => MongoErrorKind.HistoryLost,
        MongoException ex when ex.HasErrorLabel("NonResumableChangeStreamError") => MongoErrorKind.Fatal,
        MongoConnectionException or MongoNotPrimaryException or MongoNodeIsRecoveringException or MongoCursorNotFoundException => MongoErrorKind.Transient,
        MongoCommandException { Code: var code } when TransientCodes.Contains(code) => MongoErrorKind.Transient,
        MongoException ex when ex.HasErrorLabel("RetryableError") || ex.HasErrorLabel("ResumableChangeStreamError") || ex.HasErrorLabel("RetryableWriteError") || ex.HasErrorLabel("TransientTransactionError") => MongoErrorKind.Transient,
        // Server selection gave up (unreachable hosts, no primary during a long election).
        TimeoutException => MongoErrorKind.Transient,
        IOException => MongoErrorKind.Transient,
        _ => MongoErrorKind.Unknown,
    };

    /// <summary>A sentence saying what went wrong and what to do, naming the source and its collection.</summary>
    public static string Explain(string sourceId, string database, string collection, Exception exception)
    {
        var where = $"source '{sourceId}' (MongoDB {database}.{collection})";
        return exception switch
        {
            MongoAuthenticationException => $"{where}: authentication failed: {exception.Message}. Check the user name, password and authSource in SnapshotService:Sources:{sourceId}:Mongo:ConnectionString; the user needs the read role on {database} (see docs/sources/mongodb.md).",
            MongoCommandException { Code: 18 } => $"{where}: authentication failed (code 18): {exception.Message}. Check the credentials and authSource in SnapshotService:Sources:{sourceId}:Mongo:ConnectionString.",
            MongoCommandException { Code: 13 or 8000 } => $"{where}: not authorized: {exception.Message}. Grant the user the read role on {database} (and changeStream/find on the collection); see docs/sources/mongodb.md.",
            MongoCommandException { Code: ChangeStreamsNotSupportedCode } => $"{where}: the server does not support change streams ({exception.Message}). Change streams need a replica set or sharded cluster: run mongod with --replSet (a one-node replica set is enough) and add ?replicaSet=NAME to the connection string.",
            MongoCommandException { Code: 26 } => $"{where}: namespace not found: {exception.Message}. Check SnapshotService:Sources:{sourceId}:Mongo:Database and Collection.",
            MongoCommandException { Code: 73 } => $"{where}: invalid namespace: {exception.Message}.",
            TimeoutException => $"{where}: no usable server within the server selection timeout: {exception.Message}. Check the hosts and replicaSet in the connection string and that the server is reachable.",
            _ => $"{where}: {exception.GetType().Name}: {exception.Message}",
        };
    }
}

/// <summary>Thrown when the MongoDB source cannot go on without a person fixing something (auth, topology, configuration).</summary>
public sealed class MongoSourceException : Exception
{
    /// <summary>Creates the exception with the reason a user reads.</summary>
    public MongoSourceException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
