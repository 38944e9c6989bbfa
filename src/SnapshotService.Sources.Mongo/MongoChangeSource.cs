using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Serializers;
using MongoDB.Driver;

namespace SnapshotService.Sources.Mongo;

/// <summary>
/// The MongoDB source: a change stream on one collection, merged lock-free with chunked backfill
/// reads (DBLog-style watermarks, <see cref="BackfillWindow"/>), range scans and point reads for
/// reconciliation, and the oplog headroom for GetSource.
/// </summary>
/// <remarks>
/// <para><b>Capture.</b> <c>fullDocument: updateLookup</c> (or <c>whenAvailable</c> when the collection
/// records post-images, falling back to a lookup when an image is missing). Every change's source
/// version is its clusterTime (<see cref="ClusterTime"/>: ties mean one transaction). An update
/// whose lookup found no document is skipped: the key was deleted since, and that delete event
/// follows in the stream. Positions (<see cref="MongoPosition"/>) carry the resume token of the
/// last emitted event, or the postBatchResumeToken when the stream is idle, so the committed
/// position keeps moving through the oplog even when nothing changes.</para>
/// <para><b>Backfill.</b> On first start (empty position), on <see cref="RequestBackfill"/>, and after
/// history loss, the adapter reads the collection in chunks of ChunkSize documents in key order,
/// interleaved with the stream; each chunk's rows are emitted once the stream has passed the read,
/// minus the keys the stream carried inside the window. The position records the next chunk's
/// first key, so a restart re-reads only the chunk in flight.</para>
/// <para><b>Failures.</b> ChangeStreamHistoryLost (286) → <see cref="SourceNoticeKind.HistoryLost"/>,
/// the stream reopens at the current time and a whole-collection re-backfill starts
/// (<see cref="SourceNotice.AfterHistoryLoss"/>). drop / rename / dropDatabase / invalidate →
/// <see cref="SourceInvalidatedException"/> (after the changes before the event were returned).
/// Transient errors are retried with backoff and jitter (MaxRetries); auth errors, missing
/// privileges, a missing collection and servers without change streams fail at once with a
/// <see cref="MongoSourceException"/> saying what to fix.</para>
/// </remarks>
public sealed partial class MongoChangeSource : IChangeSource, IBackfillControl, ISourceHealthProbe, IPositionSummarizer, IReadCoverage
{
    /// <summary>The most keys one <see cref="RequestBackfill"/> may name (they travel in the position).</summary>
    public const int MaxBackfillKeys = 10_000;

    private readonly MongoSourceOptions _options;
    private readonly TimeProvider _time;
    private readonly MongoClient _client;
    private readonly IMongoCollection<BsonDocument> _collection;
    private readonly MongoRangeScanner _scanner;
    private readonly MongoRetry _retry;
    private readonly BsonDocument? _filter;
    private readonly ConcurrentQueue<BackfillRequest> _requests = new();
    private readonly Queue<BsonDocument> _pending = new();
    private readonly Queue<BackfillRow> _ready = new();
    private readonly MongoHealthCache _health;
    private readonly ILogger _logger;

    private bool _verified;
    private ChangeStreamFullDocumentOption _fullDocument = ChangeStreamFullDocumentOption.UpdateLookup;
    private IClientSessionHandle? _streamSession;
    private IChangeStreamCursor<BsonDocument>? _cursor;
    private BsonDocument? _batchEndToken;
    private long _fetches;
    private bool _openingBatchUnread;
    private long? _idleResumeTime;
    private MongoPosition _current = MongoPosition.Empty;
    private SourcePosition? _lastReturned;
    private BackfillWindow? _window;
    private ChunkPlan? _chunk;
    private long _readyVersion;
    private SourceInvalidatedException? _invalidated;

    /// <summary>Creates the source (no I/O: the first read connects). Throws <see cref="ArgumentException"/> listing every configuration problem.</summary>
    /// <param name="sourceId">The source id (validated: it becomes a path segment of the export).</param>
    /// <param name="options">The settings (copied).</param>
    /// <param name="timeProvider">The clock for retry delays and caches; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Where retries, history loss and backfill progress are logged; nothing when null.</param>
    public MongoChangeSource(string sourceId, MongoSourceOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        SourceId = SourceIds.Validate(sourceId);
        var problems = options.Validate(sourceId);
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(options));
        }
        _options = options.Clone();
        _time = timeProvider ?? TimeProvider.System;
        var settings = MongoClientSettings.FromConnectionString(_options.ConnectionString);
        settings.ServerSelectionTimeout = _options.ServerSelectionTimeout;
        _client = new MongoClient(settings);
        _collection = _client.GetDatabase(_options.Database).GetCollection<BsonDocument>(_options.Collection)
            .WithReadConcern(ReadConcern.Majority);
        _filter = _options.ParsedFilter();
        _scanner = new MongoRangeScanner(_client, _collection, _filter, _options.BatchSize);
        _logger = logger ?? NullLogger.Instance;
        _retry = new MongoRetry(_options, SourceId, _time, _logger);
        _health = new MongoHealthCache(_client, _options.HealthCacheTime, _time);
    }

    /// <summary>The source id.</summary>
    public string SourceId { get; }

    /// <inheritdoc />
    public SourceDescriptor Describe() => new(SourceId, "mongodb", _options.Describe());

    /// <summary>A readable summary of a position this adapter wrote (for GetSource's PositionSummary).</summary>
    public static string SummarizePosition(SourcePosition position) => MongoPosition.Summarize(position);

    /// <inheritdoc />
    public string Summarize(SourcePosition position) => SummarizePosition(position);

    /// <inheritdoc />
    public void RequestBackfill(IReadOnlyList<string>? keys)
    {
        if (keys is not null)
        {
            if (keys.Count == 0)
            {
                throw new ArgumentException("name at least one key, or none (null) for the whole collection.", nameof(keys));
            }
            if (keys.Count > MaxBackfillKeys)
            {
                throw new ArgumentException($"at most {MaxBackfillKeys} keys per backfill request (was {keys.Count}); ask for the whole collection instead.", nameof(keys));
            }
            foreach (var key in keys)
            {
                _ = MongoKeys.Decode(key); // refuses malformed keys now, not mid-backfill
            }
            keys = [.. keys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        }
        _requests.Enqueue(new BackfillRequest(keys, AfterHistoryLoss: false));
    }

    /// <inheritdoc />
    public async ValueTask<ChangeBatch> ReadChangesAsync(SourcePosition after, int maxChanges, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxChanges);
        if (_lastReturned != after)
        {
            await ResetAsync(after).ConfigureAwait(false);
        }
        if (_invalidated is { } invalidated)
        {
            throw invalidated;
        }
        var changes = new List<SourceChange>(Math.Min(maxChanges, 1024));
        var notices = new List<SourceNotice>();
        await EnsureVerifiedAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            try
            {
                await FillAsync(changes, notices, maxChanges, cancellationToken).ConfigureAwait(false);
            }
            catch (MongoCommandException ex) when (ex.Code == MongoErrors.HistoryLostCode)
            {
                await OnHistoryLostAsync(ex, notices, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            // The in-memory state may have moved past changes this failed read never handed out:
            // the next read starts over from the position it is given.
            _lastReturned = null;
            throw;
        }
        var position = _current.ToSourcePosition();
        _lastReturned = position;
        _health.NotePosition(_current.StreamTime);
        return new ChangeBatch(changes, position) { Notices = notices };
    }

    /// <summary>The main loop of one read: ready backfill rows first, then chunk reads and stream events.</summary>
    private async Task FillAsync(List<SourceChange> changes, List<SourceNotice> notices, int maxChanges, CancellationToken cancellationToken)
    {
        StartQueuedBackfill(notices);
        await EnsureStreamAsync(cancellationToken).ConfigureAwait(false);
        var fetched = false;
        while (changes.Count < maxChanges)
        {
            if (_ready.Count > 0)
            {
                EmitReadyRow(changes);
                continue;
            }
            if (_window is { IsClosed: true })
            {
                FinishChunk(notices);
                continue;
            }
            if (_current.Backfill is not null && _window is null)
            {
                await ReadChunkAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (_pending.Count == 0)
            {
                // Return what is ready rather than wait on a getMore; an idle read waits at most once (MaxAwaitTime).
                if (changes.Count > 0 || fetched)
                {
                    return;
                }
                fetched = true;
                await FetchAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            var ev = _pending.Peek();
            var op = ChangeEvents.OperationType(ev);
            if (ChangeEvents.IsInvalidating(op))
            {
                _invalidated = new SourceInvalidatedException(
                    ChangeEvents.InvalidationReason(SourceId, _options.Database!, _options.Collection!, ev), _current.ToSourcePosition());
                if (changes.Count == 0)
                {
                    throw _invalidated;
                }
                return; // the changes before the event are returned first; the next read throws
            }
            var version = ChangeEvents.Version(ev);
            if (_window is { IsClosed: false } window && window.ClosesAt(version))
            {
                continue; // the window closed before this event: its rows go out first
            }
            _pending.Dequeue();
            var change = await ToChangeAsync(ev, op, version, cancellationToken).ConfigureAwait(false);
            if (change is not null)
            {
                if (_window is { IsClosed: false } open)
                {
                    open.Observe(change.Key, version);
                }
                changes.Add(change);
            }
            AdvanceStream(ChangeEvents.Token(ev), version);
            if (_pending.Count == 0 && _batchEndToken is not null)
            {
                AdvanceStream(_batchEndToken, ClusterTime.FromResumeToken(_batchEndToken) ?? version);
            }
        }
    }

    private async Task<SourceChange?> ToChangeAsync(BsonDocument ev, string op, long version, CancellationToken cancellationToken)
    {
        if (ChangeEvents.DocumentId(ev) is not { } id)
        {
            return null; // not a document event (e.g. createIndexes with expanded events)
        }
        var key = MongoKeys.Encode(id);
        var time = ChangeEvents.Time(ev, version);
        switch (op)
        {
            case "delete":
                return new SourceChange(key, null, ChangeOperation.Delete, version, time, ReadOnlyMemory<byte>.Empty);
            case "insert" or "replace" or "update":
                var document = ChangeEvents.FullDocument(ev);
                if (document is null && op == "update" && _fullDocument == ChangeStreamFullDocumentOption.WhenAvailable)
                {
                    // The post-image expired: look the document up, as updateLookup would have.
                    var (found, _) = await _retry.RunAsync("post-image lookup", ct => _scanner.ReadByIdsAsync([id], ct), cancellationToken).ConfigureAwait(false);
                    document = found.FirstOrDefault()?.Document;
                }
                // An update whose lookup found nothing: the key was deleted since; that delete follows.
                return document is null ? null : new SourceChange(key, null, ChangeOperation.Upsert, version, time, MongoJson.ToJsonBytes(document));
            default:
                return null;
        }
    }

    private void AdvanceStream(BsonDocument? token, long version)
    {
        if (token is null)
        {
            return;
        }
        _current = _current with { ResumeToken = token, StartAtOperationTime = null, StreamTime = Math.Max(version, _current.StreamTime ?? 0) };
    }

    private async Task FetchAsync(CancellationToken cancellationToken)
    {
        var cursor = _cursor!;
        bool more;
        try
        {
            more = await cursor.MoveNextAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (MongoErrors.Classify(ex) == MongoErrorKind.Transient)
        {
            // The driver already tried to resume once; reopen from the position we hand out, with backoff.
            await DropStreamAsync().ConfigureAwait(false);
            await _retry.RunAsync("change stream", async ct => { await EnsureStreamAsync(ct).ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (_openingBatchUnread)
        {
            // The first batch is the aggregate's, fetched when the stream opened (counted there): an
            // empty one says nothing about writes since, and must not close a window opened after it.
            _openingBatchUnread = false;
        }
        else
        {
            _fetches++;
        }
        if (!more)
        {
            // The server closed the cursor (it does after an invalidate); reopen on the next fetch.
            await DropStreamAsync().ConfigureAwait(false);
            return;
        }
        var batch = cursor.Current.ToList();
        foreach (var ev in batch)
        {
            _pending.Enqueue(ev);
        }
        var token = cursor.GetResumeToken();
        var tokenTime = ClusterTime.FromResumeToken(token);
        if (batch.Count == 0)
        {
            _batchEndToken = null;
            _idleResumeTime = tokenTime;
            _window?.ObserveEmptyFetch(_fetches, tokenTime);
            if (token is not null)
            {
                AdvanceStream(token, tokenTime ?? _current.StreamTime ?? 0);
            }
        }
        else
        {
            _batchEndToken = token;
            _idleResumeTime = null;
        }
    }

    private async Task EnsureStreamAsync(CancellationToken cancellationToken)
    {
        if (_cursor is not null)
        {
            return;
        }
        await _retry.RunAsync("opening the change stream", async ct =>
        {
            _streamSession ??= await _client.StartSessionAsync(new ClientSessionOptions { CausalConsistency = false }, ct).ConfigureAwait(false);
            var options = new ChangeStreamOptions
            {
                FullDocument = _fullDocument,
                BatchSize = _options.BatchSize,
                MaxAwaitTime = _options.MaxAwaitTime,
            };
            if (_current.ResumeToken is { } token)
            {
                options.ResumeAfter = token;
            }
            else if (_current.StartAtOperationTime is { } at)
            {
                options.StartAtOperationTime = ClusterTime.FromVersion(at);
            }
            var stages = _filter is null ? [] : new[] { ChangeStreamFilter.MatchStage(_filter) };
            var pipeline = PipelineDefinition<ChangeStreamDocument<BsonDocument>, BsonDocument>.Create(stages, BsonDocumentSerializer.Instance);
            _cursor = await _collection.WatchAsync(_streamSession, pipeline, options, ct).ConfigureAwait(false);
            _fetches++;
            _openingBatchUnread = true;
            if (!_current.HasStreamPoint)
            {
                // First start (or after history loss): pin the stream's start so a restart before the
                // first event resumes here, not at a later "now" that would skip changes.
                var initial = _cursor.GetResumeToken();
                if (initial is not null)
                {
                    AdvanceStream(initial, ClusterTime.FromResumeToken(initial) ?? MongoRangeScanner.OperationTime(_streamSession));
                }
                else
                {
                    var at = MongoRangeScanner.OperationTime(_streamSession);
                    _current = _current with { StartAtOperationTime = at, StreamTime = at };
                }
            }
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task EnsureVerifiedAsync(CancellationToken cancellationToken)
    {
        if (_verified)
        {
            return;
        }
        var info = await _retry.RunAsync("checking the collection", async ct =>
        {
            var database = _client.GetDatabase(_options.Database);
            var options = new ListCollectionsOptions { Filter = new BsonDocument("name", _options.Collection) };
            using var cursor = await database.ListCollectionsAsync(options, ct).ConfigureAwait(false);
            return await cursor.FirstOrDefaultAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        if (info is null)
        {
            throw new MongoSourceException($"source '{SourceId}': collection {_options.Database}.{_options.Collection} does not exist. Create it, or fix SnapshotService:Sources:{SourceId}:Mongo:Database / Collection (names are case-sensitive).");
        }
        if (info.GetValue("options", new BsonDocument()).AsBsonDocument.GetValue("changeStreamPreAndPostImages", new BsonDocument()) is BsonDocument images
            && images.GetValue("enabled", false).ToBoolean())
        {
            _fullDocument = ChangeStreamFullDocumentOption.WhenAvailable;
        }
        _verified = true;
    }

    private void StartQueuedBackfill(List<SourceNotice> notices)
    {
        var queued = _current.Queued.ToList();
        while (_requests.TryDequeue(out var request))
        {
            queued.Add(request);
        }
        if (_current.BackfillsStarted == 0 && !_current.HasStreamPoint && _current.Backfill is null && queued.All(q => q.Keys is not null))
        {
            // First start: the collection's current content comes in by backfill.
            queued.Insert(0, new BackfillRequest(null, AfterHistoryLoss: false));
        }
        _current = _current with { Queued = queued };
        if (_current.Backfill is null && queued.Count > 0)
        {
            BeginBackfill(queued[0], notices);
            _current = _current with { Queued = [.. queued.Skip(1)] };
        }
    }

    private void BeginBackfill(BackfillRequest request, List<SourceNotice> notices)
    {
        var number = _current.BackfillsStarted + 1;
        var progress = new BackfillProgress(number, request.AfterHistoryLoss, request.Keys, NextKey: null, NextIndex: 0, Chunks: 0, Documents: 0);
        _current = _current with { BackfillsStarted = number, Backfill = progress };
        var what = request.Keys is null ? $"the whole collection {_options.Database}.{_options.Collection}" : $"{request.Keys.Count} keys of {_options.Database}.{_options.Collection}";
        var why = request.AfterHistoryLoss ? " after history loss" : "";
        var notice = new SourceNotice(SourceNoticeKind.BackfillStarted, $"backfill #{number} of {what} started{why} (chunks of {_options.ChunkSize}, lock-free, merged with the change stream)", request.AfterHistoryLoss);
        LogNotice(SourceId, notice.Kind, notice.Message);
        notices.Add(notice);
    }

    private async Task ReadChunkAsync(CancellationToken cancellationToken)
    {
        var progress = _current.Backfill!;
        var fetchesAtRead = _fetches;
        if (progress.Keys is { } keys)
        {
            var slice = keys.Skip(progress.NextIndex).Take(_options.ChunkSize).ToList();
            var (found, version) = await _retry.RunAsync("backfill chunk", ct => _scanner.ReadByIdsAsync([.. slice.Select(MongoKeys.Decode)], ct), cancellationToken).ConfigureAwait(false);
            var byKey = found.ToDictionary(d => d.Key, StringComparer.Ordinal);
            var rows = slice.Select(k => new BackfillRow(k, byKey.TryGetValue(k, out var d) ? MongoJson.ToJsonBytes(d.Document) : (ReadOnlyMemory<byte>?)null)).ToList();
            var readVersion = found.Count == 0 ? version : Math.Max(version, found.Max(d => d.ReadVersion));
            _window = new BackfillWindow(rows, readVersion, fetchesAtRead);
            CloseIfStreamIdleSince(fetchesAtRead);
            _chunk = new ChunkPlan(NextKey: null, NextIndex: progress.NextIndex + slice.Count, Done: progress.NextIndex + slice.Count >= keys.Count);
        }
        else
        {
            var range = new KeyRange(progress.NextKey, null);
            var read = await _retry.RunAsync("backfill chunk", async ct =>
            {
                var list = new List<ScannedDocument>(_options.ChunkSize);
                await foreach (var document in _scanner.ScanAsync(range, _options.ChunkSize, ct).ConfigureAwait(false))
                {
                    list.Add(document);
                }
                return list;
            }, cancellationToken).ConfigureAwait(false);
            long readVersion;
            if (read.Count == 0)
            {
                var (_, now) = await _retry.RunAsync("backfill chunk", ct => _scanner.ReadByIdsAsync([], ct), cancellationToken).ConfigureAwait(false);
                readVersion = now;
            }
            else
            {
                readVersion = read.Max(d => d.ReadVersion);
            }
            _window = new BackfillWindow(read.Select(d => new BackfillRow(d.Key, MongoJson.ToJsonBytes(d.Document))), readVersion, fetchesAtRead);
            CloseIfStreamIdleSince(fetchesAtRead);
            var done = read.Count < _options.ChunkSize;
            _chunk = new ChunkPlan(done ? null : MongoKeys.Successor(read[^1].Key), 0, done);
        }
    }

    /// <summary>
    /// An idle stream whose last empty batch already reached the read's time has nothing left inside
    /// the window: close it now instead of waiting MaxAwaitTime for another empty getMore.
    /// </summary>
    private void CloseIfStreamIdleSince(long fetchesAtRead)
    {
        if (_pending.Count == 0 && _idleResumeTime is not null)
        {
            _window!.ObserveEmptyFetch(fetchesAtRead, _idleResumeTime);
        }
    }

    private void EmitReadyRow(List<SourceChange> changes)
    {
        var row = _ready.Dequeue();
        var time = ClusterTime.ToTime(_readyVersion);
        changes.Add(row.Document is { } json
            ? new SourceChange(row.Key, null, ChangeOperation.Upsert, _readyVersion, time, json, ChangeOrigin.Backfill)
            : new SourceChange(row.Key, null, ChangeOperation.Delete, _readyVersion, time, ReadOnlyMemory<byte>.Empty, ChangeOrigin.Backfill));
        var progress = _current.Backfill!;
        // Mid-chunk progress: a restart re-reads from just after the last row handed out.
        progress = progress.Keys is { } keys
            ? progress with { NextIndex = LowerBound(keys, row.Key) + 1, Documents = progress.Documents + 1 }
            : progress with { NextKey = MongoKeys.Successor(row.Key), Documents = progress.Documents + 1 };
        _current = _current with { Backfill = progress };
    }

    private void FinishChunk(List<SourceNotice> notices)
    {
        if (_window!.TakeRemaining() is { Count: > 0 } rows)
        {
            _readyVersion = _window.ReadVersion;
            foreach (var row in rows)
            {
                _ready.Enqueue(row);
            }
            return; // emitted first; this runs again once they are out
        }
        var chunk = _chunk!;
        var progress = _current.Backfill! with { NextKey = chunk.NextKey, NextIndex = chunk.NextIndex, Chunks = _current.Backfill!.Chunks + 1 };
        _window = null;
        _chunk = null;
        if (!chunk.Done)
        {
            _current = _current with { Backfill = progress };
            return;
        }
        _current = _current with { Backfill = null };
        var completed = new SourceNotice(
            SourceNoticeKind.BackfillCompleted,
            $"backfill #{progress.Number} of {_options.Database}.{_options.Collection} completed: {progress.Chunks} chunks, {progress.Documents} documents" + (progress.AfterHistoryLoss ? "; a full reconciliation should follow to find deletes lost with the history" : ""),
            progress.AfterHistoryLoss);
        LogNotice(SourceId, completed.Kind, completed.Message);
        notices.Add(completed);
        if (_current.Queued.Count > 0)
        {
            BeginBackfill(_current.Queued[0], notices);
            _current = _current with { Queued = [.. _current.Queued.Skip(1)] };
        }
    }

    private async Task OnHistoryLostAsync(MongoCommandException ex, List<SourceNotice> notices, CancellationToken cancellationToken)
    {
        var lostAt = _current.StreamTime is { } st ? $" (saved position at {ClusterTime.Show(st)})" : "";
        var lost = new SourceNotice(SourceNoticeKind.HistoryLost,
            $"source '{SourceId}': the oplog no longer holds the change stream's resume point{lostAt} ({ex.CodeName} {ex.Code}); the stream restarts at the current time and the whole collection is re-backfilled. Size the oplog for longer outages (docs/sources/mongodb.md).");
        LogHistoryLost(SourceId, lost.Message);
        notices.Add(lost);
        await DropStreamAsync().ConfigureAwait(false);
        DiscardInFlight();
        // A running whole-collection backfill is superseded; queued keyed ones still run after it.
        var queued = _current.Queued.Where(q => q.Keys is not null).ToList();
        if (_current.Backfill is { Keys: not null } keyed)
        {
            queued.Insert(0, new BackfillRequest(keyed.Keys, keyed.AfterHistoryLoss));
        }
        _current = _current with { ResumeToken = null, StartAtOperationTime = null, Backfill = null, Queued = queued };
        BeginBackfill(new BackfillRequest(null, AfterHistoryLoss: true), notices);
        await EnsureStreamAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task ResetAsync(SourcePosition after)
    {
        _current = MongoPosition.Parse(after);
        _invalidated = null;
        DiscardInFlight();
        await DropStreamAsync().ConfigureAwait(false);
        _lastReturned = after;
    }

    private void DiscardInFlight()
    {
        _idleResumeTime = null;
        _pending.Clear();
        _ready.Clear();
        _window = null;
        _chunk = null;
        _batchEndToken = null;
    }

    private async Task DropStreamAsync()
    {
        if (_cursor is { } cursor)
        {
            _cursor = null;
            try
            {
                cursor.Dispose();
            }
            catch (Exception ex) when (ex is MongoException or IOException or TimeoutException)
            {
                // Killing a cursor on a broken connection fails; the server reaps it.
            }
        }
        _pending.Clear();
        _batchEndToken = null;
        _idleResumeTime = null;
        _openingBatchUnread = false;
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<SourceDocument> ScanAsync(KeyRange range, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var e = _scanner.ScanAsync(range, limit: null, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            bool more;
            try
            {
                more = await e.MoveNextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (MongoErrors.Classify(ex) == MongoErrorKind.Fatal)
            {
                throw new MongoSourceException(MongoErrors.Explain(SourceId, _options.Database!, _options.Collection!, ex), ex);
            }
            if (!more)
            {
                yield break;
            }
            var d = e.Current;
            yield return new SourceDocument(d.Key, null, d.ReadVersion, MongoJson.ToJsonBytes(d.Document));
        }
    }

    /// <inheritdoc />
    public async ValueTask<KeyReadResult> ReadKeysAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var ids = keys.Select(MongoKeys.Decode).ToList();
        var (found, version) = await _retry.RunAsync("point reads", ct => _scanner.ReadByIdsAsync(ids, ct), cancellationToken).ConfigureAwait(false);
        return new KeyReadResult([.. found.Select(d => new SourceDocument(d.Key, null, d.ReadVersion, MongoJson.ToJsonBytes(d.Document)))], version);
    }

    /// <summary>
    /// True when the stream at <paramref name="committed"/> is past the read's operationTime and no
    /// backfill is in flight or queued (a key a running backfill has not reached yet is not in the
    /// export, though the stream is past the read). Strictly past: the events of one transaction
    /// share a clusterTime, and a position may sit between them. On an idle real replica set the
    /// stream time moves with the primary's periodic no-op writes (about every 10 s).
    /// </summary>
    public bool Covers(SourcePosition committed, KeyReadResult read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var position = MongoPosition.Parse(committed);
        return position.StreamTime > read.ReadVersion && position.Backfill is null && position.Queued.Count == 0;
    }

    /// <summary>
    /// The last position this reader handed out, with the server's current time (one ping, cached
    /// for a second). MongoDB cannot mint a resume token for "now"; the time is what lag needs.
    /// </summary>
    public async ValueTask<SourceWatermark> GetWatermarkAsync(CancellationToken cancellationToken)
    {
        var now = await _health.ServerTimeAsync(cancellationToken).ConfigureAwait(false);
        return new SourceWatermark(_lastReturned ?? SourcePosition.Start, now is { } v ? ClusterTime.ToTime(v) : null);
    }

    /// <inheritdoc />
    public async ValueTask<SourceHealth> GetHealthAsync(CancellationToken cancellationToken)
    {
        var headroom = await _health.HeadroomAsync(cancellationToken).ConfigureAwait(false);
        var backfill = _current.Backfill?.Summary();
        if (backfill is not null && _window is { } w)
        {
            backfill += $" (chunk in flight: {w.RowsRead} rows read, {w.Dropped} superseded by the stream)";
        }
        return new SourceHealth(headroom, backfill);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await DropStreamAsync().ConfigureAwait(false);
        _streamSession?.Dispose();
        _client.Dispose();
    }

    private static int LowerBound(IReadOnlyList<string> sorted, string key)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (string.CompareOrdinal(sorted[mid], key) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {SourceId}: {Kind}: {Message}")]
    private partial void LogNotice(string sourceId, SourceNoticeKind kind, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {SourceId}: history lost: {Message}")]
    private partial void LogHistoryLost(string sourceId, string message);

    /// <summary>Where the backfill continues once the chunk in flight is fully emitted.</summary>
    private sealed record ChunkPlan(string? NextKey, int NextIndex, bool Done);
}
