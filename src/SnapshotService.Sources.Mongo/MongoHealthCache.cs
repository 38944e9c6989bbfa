using MongoDB.Bson;
using MongoDB.Driver;

namespace SnapshotService.Sources.Mongo;

/// <summary>
/// Cached figures about the server that are too costly for the capture path: the oplog's oldest
/// entry (history headroom) and the server's current time (watermark). Each costs one round trip
/// at most once per cache period; failures keep the last known figure.
/// </summary>
/// <remarks>
/// Headroom = (cluster time of the saved position) − (time of the oldest oplog entry): the oplog
/// drops its oldest entries as new writes arrive, roughly one second of history per second, so
/// this is about how long capture may stand still before resuming fails with
/// ChangeStreamHistoryLost. Reading <c>local.oplog.rs</c> needs the <c>clusterMonitor</c> role (or read
/// on <c>local</c>); without it the headroom is unknown (null), never a guess.
/// </remarks>
internal sealed class MongoHealthCache(IMongoClient client, TimeSpan cacheTime, TimeProvider time)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _positionTime = long.MinValue;
    private long? _oldestOplog;
    private long _oplogReadAt = long.MinValue;
    private long? _serverTime;
    private long _serverTimeReadAt = long.MinValue;

    /// <summary>The oplog window's oldest entry as last read (a version), or null when unknown.</summary>
    public long? OldestOplogEntry => _oldestOplog;

    public void NotePosition(long? streamTime)
    {
        if (streamTime is { } value)
        {
            Interlocked.Exchange(ref _positionTime, value);
        }
    }

    public async Task<TimeSpan?> HeadroomAsync(CancellationToken cancellationToken)
    {
        if (time.GetElapsedTime(_oplogReadAt) >= cacheTime || _oplogReadAt == long.MinValue)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var oplog = client.GetDatabase("local").GetCollection<BsonDocument>("oplog.rs");
                var options = new FindOptions<BsonDocument> { Sort = new BsonDocument("$natural", 1), Limit = 1, Projection = new BsonDocument("ts", 1) };
                using var cursor = await oplog.FindAsync(FilterDefinition<BsonDocument>.Empty, options, cancellationToken).ConfigureAwait(false);
                var first = await cursor.FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
                _oldestOplog = first?.GetValue("ts", BsonNull.Value) is BsonTimestamp ts ? ts.Value : _oldestOplog;
            }
            catch (Exception ex) when (ex is MongoException or TimeoutException or IOException)
            {
                // Not permitted or unreachable: keep the last figure; GetSource shows the source's own error.
            }
            finally
            {
                _oplogReadAt = time.GetTimestamp();
                _gate.Release();
            }
        }
        var position = Interlocked.Read(ref _positionTime);
        if (position == long.MinValue || _oldestOplog is null)
        {
            return null;
        }
        var seconds = (long)((ulong)position >> 32) - (long)((ulong)_oldestOplog.Value >> 32);
        return TimeSpan.FromSeconds(Math.Max(0, seconds));
    }

    public async Task<long?> ServerTimeAsync(CancellationToken cancellationToken)
    {
        if (time.GetElapsedTime(_serverTimeReadAt) < TimeSpan.FromSeconds(1) && _serverTimeReadAt != long.MinValue)
        {
            return _serverTime;
        }
        try
        {
            using var session = await client.StartSessionAsync(new ClientSessionOptions { CausalConsistency = false }, cancellationToken).ConfigureAwait(false);
            await client.GetDatabase("admin").RunCommandAsync<BsonDocument>(session, new BsonDocument("ping", 1), cancellationToken: cancellationToken).ConfigureAwait(false);
            _serverTime = session.OperationTime?.Value ?? _serverTime;
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException or IOException)
        {
            // Lag is informational: keep the last figure rather than fail the capture loop.
        }
        _serverTimeReadAt = time.GetTimestamp();
        return _serverTime;
    }
}
