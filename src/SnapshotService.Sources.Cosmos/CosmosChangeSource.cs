using System.Collections.Concurrent;
using System.Net;
using Microsoft.Azure.Cosmos;

namespace SnapshotService.Sources.Cosmos;

/// <summary>
/// A Cosmos DB container as a change source: the change feed pull model, one reader task per feed
/// range read in parallel and merged into batches by the (single) capture loop, a continuation per
/// range in every position; backfill on demand; key-ordered scans and point reads for
/// reconciliation; a consistent cut for "snapshot as of now". See docs/sources/cosmos.md.
/// </summary>
/// <remarks>
/// <para><b>Deletes.</b> In LatestVersion mode (the default) deletes never appear in the feed: the
/// export keeps a deleted document until reconciliation finds it and repair writes a tombstone.
/// AllVersionsAndDeletes mode captures deletes directly where the account has it enabled.</para>
/// <para><b>Backfill</b> reads the LatestVersion feed from the beginning per range (every current
/// document with its <c>_lsn</c>) or a keyed backfill's partitions. A backfill page read at time T
/// is emitted only after its range's capture reader has answered "nothing newer" to a read that
/// started after T, so every captured version older than the page is already out; a page item is
/// dropped when capture already emitted a newer version of its key. Newer captured versions win.</para>
/// </remarks>
public sealed partial class CosmosChangeSource : IChangeSource, IBackfillControl, ISourceHealthProbe, IConsistentCut
{
    /// <summary>The longest <see cref="ReadChangesAsync"/> waits for news before returning an empty batch.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a watermark is reused (see <see cref="GetWatermarkAsync"/>).</summary>
    public static readonly TimeSpan WatermarkCacheTime = TimeSpan.FromSeconds(5);

    private const int KeysPerBackfillStep = 20;

    private readonly CosmosSourceOptions _options;
    private readonly Lazy<CosmosClient> _client;
    private readonly bool _ownsClient;
    private readonly TimeProvider _time;
    private readonly RequestUnitBudget _budget;
    private readonly ConcurrentQueue<List<string>?> _requests = new();
    private readonly Dictionary<string, long> _newestEmitted = new(StringComparer.Ordinal);
    private readonly List<SourceNotice> _pendingNotices = [];
    private readonly Lock _openGate = new();
    private Task<CosmosContainerAccess>? _open;
    private CosmosPosition? _state;
    private List<FeedRangeReader> _readers = [];
    private FeedPage?[] _partial = [];
    private string? _lastToken;
    private PendingBackfill? _pendingBackfill;
    private bool _readOnce;
    private (SourceWatermark Watermark, DateTimeOffset At)? _watermark;
    private int _nextReader;

    /// <summary>Creates the source; the SDK client (and, for Entra, the credential) is built on first use.</summary>
    public CosmosChangeSource(string sourceId, CosmosSourceOptions options, TimeProvider? timeProvider = null)
        : this(sourceId, options, null, timeProvider)
    {
    }

    /// <summary>Creates the source over an existing client (tests, the benchmark); the caller keeps ownership of it.</summary>
    public CosmosChangeSource(string sourceId, CosmosSourceOptions options, CosmosClient? client, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        SourceId = SourceIds.Validate(sourceId);
        _options = options.Clone();
        var problems = _options.Validate(SourceId);
        if (problems.Count > 0 && client is null)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(options));
        }
        _ownsClient = client is null;
        _client = client is null ? new Lazy<CosmosClient>(() => CosmosClients.Create(_options)) : new Lazy<CosmosClient>(client);
        _time = timeProvider ?? TimeProvider.System;
        _budget = new RequestUnitBudget(_options.MaxRequestUnitsPerSecond);
    }

    /// <summary>The source id.</summary>
    public string SourceId { get; }

    /// <summary>Request units charged by scans and point reads so far (budgeted by MaxRequestUnitsPerSecond).</summary>
    public double ReconciliationRequestCharge => _budget.Charged;

    /// <summary>Feed ranges read in parallel now (0 before the first read).</summary>
    public int ActiveFeedRanges => _readers.Count;

    /// <summary>Transient failures the feed readers retried so far (503s, dropped connections, 429s the SDK gave up on).</summary>
    public long FeedRetries => _readers.Sum(r => r.Retries);

    /// <summary>Per feed range: how long since capture last had everything up to "now" (the range's lag bound).</summary>
    public IReadOnlyList<TimeSpan> RangeLags
    {
        get
        {
            var state = _state;
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            return state is null ? [] : [.. state.Ranges.Select(r => r.CaughtUpAtMs == 0 ? TimeSpan.MaxValue : TimeSpan.FromMilliseconds(Math.Max(0, now - r.CaughtUpAtMs)))];
        }
    }

    /// <inheritdoc />
    public SourceDescriptor Describe() =>
        new(SourceId, "cosmosdb", $"Cosmos DB {_options.Endpoint} {_options.Database}/{_options.Container}, change feed {_options.Mode}" +
            (_options.Mode == CosmosFeedMode.LatestVersion ? " (deletes found by reconciliation)" : ""));

    /// <inheritdoc />
    public async ValueTask<ChangeBatch> ReadChangesAsync(SourcePosition after, int maxChanges, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxChanges);
        try
        {
            var access = await OpenAsync(cancellationToken).ConfigureAwait(false);
            if (_state is null || _lastToken != after.Token)
            {
                await ResetAsync(access, after, cancellationToken).ConfigureAwait(false);
            }
            var state = _state!;
            var changes = new List<SourceChange>(Math.Min(maxChanges, 1024));
            var notices = new List<SourceNotice>(_pendingNotices);
            _pendingNotices.Clear();
            var before = state.ToSourcePosition().Token;
            var deadline = _time.GetUtcNow() + MaxWait;
            while (changes.Count < maxChanges)
            {
                Drain(state, changes, maxChanges);
                await StepBackfillAsync(access, state, changes, maxChanges, notices, cancellationToken).ConfigureAwait(false);
                if (changes.Count > 0 || notices.Count > 0 || _time.GetUtcNow() >= deadline)
                {
                    break;
                }
                if (state.ToSourcePosition().Token != before && _pendingBackfill is null)
                {
                    break; // only positions moved (ranges caught up): worth committing
                }
                await WaitForPagesAsync(deadline, cancellationToken).ConfigureAwait(false);
            }
            _readOnce = true;
            // Requests join the state only in a batch that is returned, so a failed read loses none.
            FoldRequests(state, notices);
            var position = state.ToSourcePosition();
            _lastToken = position.Token;
            return new ChangeBatch(changes, position) { Notices = notices };
        }
        catch (Exception ex)
        {
            // The in-memory readers may be ahead of what was returned (also after a cancellation
            // mid-batch): the next call starts over from the position it is given.
            _lastToken = null;
            if (ex is CosmosSourceException { StatusCode: HttpStatusCode.NotFound } && (_readOnce || !after.IsStart))
            {
                throw new SourceInvalidatedException($"Cosmos DB container '{_options.Database}/{_options.Container}' of source '{SourceId}' no longer exists (404): it was deleted. Recreate it and re-backfill; nothing after the last committed position was skipped silently.", after, ex);
            }
            throw;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<SourceDocument> ScanAsync(KeyRange range, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var access = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var document in access.ScanAsync(range, _budget, cancellationToken).ConfigureAwait(false))
        {
            yield return document;
        }
    }

    /// <summary>
    /// Point reads. <see cref="KeyReadResult.ReadVersion"/> is the version of "ClockSkewAllowance
    /// before the read started" (<c>_ts</c> scale): every write older than that is visible.
    /// It is deliberately low: a repair tombstone then never hides a write made during the read.
    /// </summary>
    public async ValueTask<KeyReadResult> ReadKeysAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var started = (_time.GetUtcNow() - _options.ClockSkewAllowance).ToUnixTimeSeconds();
        var access = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var documents = await access.ReadAsync(keys, _budget, cancellationToken).ConfigureAwait(false);
        return new KeyReadResult(documents, CosmosDocuments.VersionOf(started, 0));
    }

    /// <summary>
    /// The position "now" (each current feed range's continuation at this moment) and the newest
    /// <c>_ts</c>. It costs one feed read per range plus a one-item query (a few RUs), and the
    /// capture loop asks about once a second for its lag figure, so the answer is cached for
    /// <see cref="WatermarkCacheTime"/>.
    /// </summary>
    public async ValueTask<SourceWatermark> GetWatermarkAsync(CancellationToken cancellationToken)
    {
        if (_watermark is { } cached && _time.GetUtcNow() - cached.At < WatermarkCacheTime)
        {
            return cached.Watermark;
        }
        var fresh = await ReadWatermarkAsync(cancellationToken).ConfigureAwait(false);
        _watermark = (fresh, _time.GetUtcNow());
        return fresh;
    }

    private async Task<SourceWatermark> ReadWatermarkAsync(CancellationToken cancellationToken)
    {
        var access = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var ranges = await access.Container.GetFeedRangesAsync(cancellationToken).ConfigureAwait(false);
        var position = new CosmosPosition { Mode = CosmosPosition.ModeCode(_options.Mode), Ranges = await NowCursorsAsync(access, ranges, cancellationToken).ConfigureAwait(false) };
        DateTimeOffset? newest = null;
        // The first item of a descending _ts query (one page is read; TOP with ORDER BY is avoided:
        // the gateway test server does not serve that combination).
        await foreach (var item in access.QueryAsync(new QueryDefinition("SELECT * FROM c ORDER BY c._ts DESC"), _budget, cancellationToken, maxItemCount: 1).ConfigureAwait(false))
        {
            newest = DateTimeOffset.FromUnixTimeSeconds(CosmosDocuments.Ts(item.RootElement));
            item.Dispose();
            break;
        }
        return new SourceWatermark(position.ToSourcePosition(), newest);
    }

    /// <inheritdoc />
    public void RequestBackfill(IReadOnlyList<string>? keys) => _requests.Enqueue(keys is null ? null : [.. keys]);

    /// <inheritdoc />
    public ValueTask<SourceHealth> GetHealthAsync(CancellationToken cancellationToken)
    {
        var backfill = _state?.Backfill is { } b
            ? b.Keys is { } keys
                ? $"keyed backfill: {b.KeysDone} of {keys.Count} keys, {b.Documents} documents"
                : $"backfill: {b.Ranges!.Count(r => r.Done)} of {b.Ranges!.Count} feed ranges read, {b.Documents} documents"
            : null;
        var lags = RangeLags;
        TimeSpan? headroom = null;
        if (_options.Mode == CosmosFeedMode.AllVersionsAndDeletes && lags.Count > 0 && lags.All(l => l != TimeSpan.MaxValue))
        {
            // The slowest range decides: its oldest unread change leaves the retention window first.
            headroom = _options.AllVersionsRetention - lags.Max();
        }
        return ValueTask.FromResult(new SourceHealth(headroom, backfill)
        {
            RangeLags = [.. lags.Select((lag, index) => new SourceRangeLag(
                index.ToString(System.Globalization.CultureInfo.InvariantCulture),
                lag == TimeSpan.MaxValue ? double.PositiveInfinity : lag.TotalSeconds))],
        });
    }

    /// <summary>A cut at the adapter's clock now: passed when every range has answered "nothing newer" to a read started after it.</summary>
    public ValueTask<SourcePosition> GetCutAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(new SourcePosition("cut:" + _time.GetUtcNow().ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <inheritdoc />
    public bool HasPassed(SourcePosition committed, SourcePosition cut)
    {
        if (committed.IsStart || !cut.Token.StartsWith("cut:", StringComparison.Ordinal) || !long.TryParse(cut.Token.AsSpan(4), out var cutMs))
        {
            return false;
        }
        var position = CosmosPosition.Parse(committed.Token, SourceId);
        return position.Backfill is null && position.Ranges.All(r => r.CaughtUpAtMs >= cutMs);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopReadersAsync().ConfigureAwait(false);
        if (_ownsClient && _client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }

    /// <summary>
    /// A cursor per range at "now", fixed by reading each range's feed from now once: every range
    /// then starts at the same moment instead of at its reader's first request (which would let a
    /// write made in between slip past a range that had not been read yet).
    /// </summary>
    private async Task<List<RangeCursor>> NowCursorsAsync(CosmosContainerAccess access, IReadOnlyList<FeedRange> ranges, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var cursors = new List<RangeCursor>(ranges.Count);
        foreach (var range in ranges)
        {
            var iterator = access.Container.GetChangeFeedStreamIterator(ChangeFeedStartFrom.Now(range), FeedMode(), new ChangeFeedRequestOptions { PageSizeHint = 1 });
            using var response = await access.WithRetryAsync(() => iterator.ReadNextAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.NotModified)
            {
                access.ThrowIfFailed(response);
            }
            cursors.Add(new RangeCursor { FeedRange = range.ToJsonString(), Continuation = response.ContinuationToken, CaughtUpAtMs = now });
        }
        return cursors;
    }

    private ChangeFeedMode FeedMode() => _options.Mode == CosmosFeedMode.AllVersionsAndDeletes ? ChangeFeedMode.AllVersionsAndDeletes : ChangeFeedMode.LatestVersion;

    private Task<CosmosContainerAccess> OpenAsync(CancellationToken cancellationToken)
    {
        lock (_openGate)
        {
            if (_open is null || _open.IsFaulted || _open.IsCanceled)
            {
                var container = _client.Value.GetContainer(_options.Database, _options.Container);
                _open = CosmosContainerAccess.OpenAsync(SourceId, _options, container, cancellationToken);
            }
            return _open;
        }
    }

    private async Task ResetAsync(CosmosContainerAccess access, SourcePosition after, CancellationToken cancellationToken)
    {
        await StopReadersAsync().ConfigureAwait(false);
        _pendingBackfill = null;
        _newestEmitted.Clear();
        _pendingNotices.Clear();
        if (after.IsStart)
        {
            var start = _options.StartFrom switch
            {
                CosmosStartFrom.Now => "n",
                CosmosStartFrom.Time => "t:" + _options.StartTime!.Value.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                // The all-versions feed cannot start at the beginning: it starts now and a backfill loads what exists.
                _ => _options.Mode == CosmosFeedMode.AllVersionsAndDeletes ? "n" : "b",
            };
            var ranges = await access.Container.GetFeedRangesAsync(cancellationToken).ConfigureAwait(false);
            _state = new CosmosPosition
            {
                Mode = CosmosPosition.ModeCode(_options.Mode),
                Ranges = start == "n"
                    ? await NowCursorsAsync(access, ranges, cancellationToken).ConfigureAwait(false)
                    : [.. ranges.Select(r => new RangeCursor { FeedRange = r.ToJsonString(), Start = start })],
            };
            if (_options.Mode == CosmosFeedMode.AllVersionsAndDeletes && _options.StartFrom == CosmosStartFrom.Beginning)
            {
                StartBackfill(_state, null, _pendingNotices, "initial load");
            }
        }
        else
        {
            var parsed = CosmosPosition.Parse(after.Token, SourceId);
            if (parsed.Mode != CosmosPosition.ModeCode(_options.Mode))
            {
                throw new CosmosSourceException($"Cosmos DB source '{SourceId}': the committed position was written in change feed mode '{(parsed.Mode == "av" ? "AllVersionsAndDeletes" : "LatestVersion")}' but Mode is now {_options.Mode}; continuations of one mode cannot be read in the other. Restore the Mode setting, or start a new export of this source.");
            }
            _state = parsed;
        }
        var keys = access.Keys;
        _readers = [.. _state.Ranges.Select(cursor => new FeedRangeReader(access.Container, cursor, _options.Mode, _options,
            item => _options.Mode == CosmosFeedMode.AllVersionsAndDeletes ? FeedParsing.AllVersions(item, keys) : FeedParsing.Latest(item, keys, ChangeOrigin.Capture),
            response => new CosmosSourceException(CosmosErrors.Describe(SourceId, _options, response.StatusCode, CosmosErrors.SubStatus(response), response.ErrorMessage), response.StatusCode), _time))];
        _partial = new FeedPage?[_readers.Count];
        foreach (var reader in _readers)
        {
            reader.Start();
        }
    }

    private async Task StopReadersAsync()
    {
        foreach (var reader in _readers)
        {
            await reader.DisposeAsync().ConfigureAwait(false);
        }
        _readers = [];
    }

    /// <summary>Takes pages from the readers round-robin into <paramref name="changes"/>, advancing each range's cursor.</summary>
    private void Drain(CosmosPosition state, List<SourceChange> changes, int maxChanges)
    {
        for (var n = 0; n < _readers.Count && changes.Count < maxChanges; n++)
        {
            var i = (_nextReader + n) % _readers.Count;
            var cursor = state.Ranges[i];
            while (changes.Count < maxChanges)
            {
                var page = _partial[i];
                if (page is null)
                {
                    if (!_readers[i].Pages.TryRead(out page))
                    {
                        if (_readers[i].Pages.Completion is { IsFaulted: true } failed)
                        {
                            throw failed.Exception!.InnerException!;
                        }
                        break;
                    }
                }
                if (page.CaughtUpAtMs is { } caughtUp)
                {
                    cursor.Continuation = page.ContinuationAfter;
                    cursor.SkipThroughLsn = null;
                    cursor.CaughtUpAtMs = Math.Max(cursor.CaughtUpAtMs, caughtUp);
                    continue;
                }
                var take = Math.Min(maxChanges - changes.Count, page.Items.Count - page.Taken);
                for (var k = 0; k < take; k++)
                {
                    var change = page.Items[page.Taken + k].Change;
                    changes.Add(change);
                    if (state.Backfill is not null)
                    {
                        _newestEmitted[change.Key] = Math.Max(change.SourceVersion, _newestEmitted.GetValueOrDefault(change.Key, long.MinValue));
                    }
                }
                page.Taken += take;
                if (page.Taken >= page.Items.Count)
                {
                    _partial[i] = null;
                    cursor.Continuation = page.ContinuationAfter;
                    cursor.SkipThroughLsn = null;
                }
                else
                {
                    // A batch full mid-page: resume re-reads the page and skips what was handed out.
                    _partial[i] = page;
                    cursor.Continuation = page.ContinuationBefore;
                    cursor.SkipThroughLsn = page.Items[page.Taken - 1].Lsn;
                }
            }
        }
        _nextReader = _readers.Count == 0 ? 0 : (_nextReader + 1) % _readers.Count;
    }

    private async Task WaitForPagesAsync(DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var remaining = deadline - _time.GetUtcNow();
        if (remaining <= TimeSpan.Zero)
        {
            return;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_pendingBackfill is null ? remaining : TimeSpan.FromMilliseconds(Math.Min(remaining.TotalMilliseconds, 20)));
        try
        {
            await Task.WhenAny(_readers.Select(r => r.Pages.WaitToReadAsync(timeout.Token).AsTask())).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
        cancellationToken.ThrowIfCancellationRequested();
    }
}
