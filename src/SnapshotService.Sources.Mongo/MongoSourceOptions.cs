using System.Globalization;
using MongoDB.Bson;
using MongoDB.Driver;

namespace SnapshotService.Sources.Mongo;

/// <summary>
/// Settings of one MongoDB source: <c>SnapshotService:Sources:{id}:Mongo</c>. Static problems
/// (missing database, malformed connection string or filter, out-of-range numbers) are found by
/// <see cref="Validate"/> at host start; problems that need the server (unreachable, auth, missing
/// collection, not a replica set) fail only that source at run time, with the reason.
/// </summary>
public sealed class MongoSourceOptions
{
    /// <summary>Largest <see cref="BatchSize"/> and <see cref="ChunkSize"/> accepted (documents per server round trip).</summary>
    public const int MaxBatch = 100_000;

    /// <summary>
    /// The connection string, e.g. <c>mongodb://user:pass@host1,host2/?replicaSet=rs0&amp;authSource=admin</c>.
    /// Change streams need a replica set or sharded cluster; a standalone server fails the source with code 40573.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>The database that holds <see cref="Collection"/>.</summary>
    public string? Database { get; set; }

    /// <summary>The collection to capture.</summary>
    public string? Collection { get; set; }

    /// <summary>
    /// An optional query filter as (Extended) JSON, e.g. <c>{"tenant": "a"}</c>. Applied to backfill,
    /// scans and point reads, and to the change stream as a <c>$match</c> on <c>fullDocument</c>
    /// (deletes always pass: a delete of a key the export never had is harmless). A document that
    /// stops matching is not seen as deleted by the stream; reconciliation finds and repairs it.
    /// </summary>
    public string? Filter { get; set; }

    /// <summary>Documents per change-stream and scan batch (server round trip). Default 1000.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>
    /// How long a change-stream <c>getMore</c> waits for news before answering empty (and advancing
    /// the postBatchResumeToken, which keeps an idle source's position inside the oplog). Default 1 s.
    /// </summary>
    public TimeSpan MaxAwaitTime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Documents per backfill chunk (one indexed <c>_id</c> range read each). Default 1000.</summary>
    public int ChunkSize { get; set; } = 1000;

    /// <summary>How many times a transient error (network, election, NotWritablePrimary) is retried before the source fails. Default 8.</summary>
    public int MaxRetries { get; set; } = 8;

    /// <summary>The first retry delay; doubled per attempt with full jitter. Default 200 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest single retry delay. Default 10 s.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the driver looks for a usable server before an operation fails (the driver's
    /// serverSelectionTimeout). Default 15 s: an unreachable URI fails the source with a reason
    /// instead of hanging it.
    /// </summary>
    public TimeSpan ServerSelectionTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the history-headroom figure is cached (it costs one oplog read). Default 30 s.</summary>
    public TimeSpan HealthCacheTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Copies the settings.</summary>
    public MongoSourceOptions Clone() => (MongoSourceOptions)MemberwiseClone();

    /// <summary>The filter parsed, or null when none is set. Throws <see cref="FormatException"/> when invalid (see <see cref="Validate"/>).</summary>
    public BsonDocument? ParsedFilter() => string.IsNullOrWhiteSpace(Filter) ? null : BsonDocument.Parse(Filter);

    /// <summary>
    /// Every static problem of the settings, each naming the source and the setting
    /// (<c>SnapshotService:Sources:{id}:Mongo:Database is required …</c>); empty when valid.
    /// </summary>
    public IReadOnlyList<string> Validate(string sourceId)
    {
        var problems = new List<string>();
        var prefix = $"SnapshotService:Sources:{sourceId}:Mongo";
        void Problem(string setting, string text) => problems.Add($"Configuration for source '{sourceId}' is invalid: {prefix}:{setting} {text}");
        static string Show(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);

        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            Problem(nameof(ConnectionString), "is required, e.g. mongodb://host:27017/?replicaSet=rs0 (change streams need a replica set).");
        }
        else
        {
            try
            {
                _ = MongoUrl.Create(ConnectionString);
            }
            catch (Exception ex) when (ex is MongoConfigurationException or FormatException or ArgumentException)
            {
                Problem(nameof(ConnectionString), $"is not a valid MongoDB connection string: {ex.Message}");
            }
        }
        if (string.IsNullOrWhiteSpace(Database))
        {
            Problem(nameof(Database), "is required: the database that holds the collection.");
        }
        else if (Database.IndexOfAny(['/', '\\', '.', ' ', '"', '$', '\0']) >= 0)
        {
            Problem(nameof(Database), $"'{Database}' is not a valid database name (no / \\ . space \" $).");
        }
        if (string.IsNullOrWhiteSpace(Collection))
        {
            Problem(nameof(Collection), "is required: the collection to capture.");
        }
        else if (Collection.StartsWith("system.", StringComparison.Ordinal) || Collection.Contains('$', StringComparison.Ordinal) || Collection.Contains('\0', StringComparison.Ordinal))
        {
            Problem(nameof(Collection), $"'{Collection}' is not a capturable collection name (no $, not system.*).");
        }
        if (!string.IsNullOrWhiteSpace(Filter))
        {
            try
            {
                _ = ParsedFilter();
            }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException or BsonException)
            {
                Problem(nameof(Filter), $"is not a JSON query document: {ex.Message}");
            }
        }
        if (BatchSize is < 1 or > MaxBatch)
        {
            Problem(nameof(BatchSize), $"must be between 1 and {MaxBatch} (was {BatchSize}).");
        }
        if (ChunkSize is < 1 or > MaxBatch)
        {
            Problem(nameof(ChunkSize), $"must be between 1 and {MaxBatch} (was {ChunkSize}).");
        }
        if (MaxAwaitTime <= TimeSpan.Zero || MaxAwaitTime > TimeSpan.FromMinutes(1))
        {
            Problem(nameof(MaxAwaitTime), $"must be more than 0 and at most 00:01:00 (was {Show(MaxAwaitTime)}).");
        }
        if (MaxRetries is < 0 or > 100)
        {
            Problem(nameof(MaxRetries), $"must be between 0 and 100 (was {MaxRetries}).");
        }
        if (RetryBaseDelay <= TimeSpan.Zero || RetryMaxDelay < RetryBaseDelay)
        {
            Problem(nameof(RetryBaseDelay), $"must be more than 0 and at most RetryMaxDelay (was {Show(RetryBaseDelay)}, RetryMaxDelay {Show(RetryMaxDelay)}).");
        }
        if (ServerSelectionTimeout <= TimeSpan.Zero)
        {
            Problem(nameof(ServerSelectionTimeout), $"must be more than 0 (was {Show(ServerSelectionTimeout)}).");
        }
        if (HealthCacheTime < TimeSpan.Zero)
        {
            Problem(nameof(HealthCacheTime), $"must not be negative (was {Show(HealthCacheTime)}).");
        }
        return problems;
    }

    /// <summary>One line for status pages: database.collection and hosts, never the credentials.</summary>
    public string Describe()
    {
        string hosts;
        try
        {
            var url = MongoUrl.Create(ConnectionString);
            hosts = string.Join(",", url.Servers.Select(s => s.ToString()));
        }
        catch (Exception ex) when (ex is MongoConfigurationException or FormatException or ArgumentException)
        {
            hosts = "(invalid connection string)";
        }
        var filter = string.IsNullOrWhiteSpace(Filter) ? "" : $", filter {Filter}";
        return $"MongoDB {Database}.{Collection} on {hosts}{filter}";
    }
}
