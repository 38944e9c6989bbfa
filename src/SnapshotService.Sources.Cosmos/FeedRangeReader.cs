using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Azure.Cosmos;

namespace SnapshotService.Sources.Cosmos;

/// <summary>One page a reader read: changes (in the range's LSN order) or "caught up" (a 304).</summary>
internal sealed record FeedPage(List<FeedChange> Items, string? ContinuationBefore, string? ContinuationAfter, long? CaughtUpAtMs)
{
    /// <summary>Items of this page already handed out (a batch that filled up takes a page in part).</summary>
    public int Taken { get; set; }
}

/// <summary>A change with the LSN it had in its range's feed.</summary>
internal sealed record FeedChange(SourceChange Change, long Lsn);

/// <summary>
/// Reads one feed range's change feed in its own task, a few pages ahead, into a bounded channel.
/// The adapter's capture loop takes the pages in order and owns the position; this task only
/// reads. Splits are handled inside the SDK iterator: a 410/1002 makes it re-read the partition
/// key ranges and continue the parent's continuation in both children, so this reader keeps
/// covering the same feed range without loss or duplicates.
/// </summary>
internal sealed class FeedRangeReader : IAsyncDisposable
{
    private readonly Channel<FeedPage> _pages = Channel.CreateBounded<FeedPage>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Container _container;
    private readonly FeedRange _feedRange;
    private readonly string? _startContinuation;
    private readonly long? _startSkipThrough;
    private readonly string _startCode;
    private readonly CosmosFeedMode _mode;
    private readonly CosmosSourceOptions _options;
    private readonly Func<JsonElement, FeedChange> _parse;
    private readonly Func<ResponseMessage, Exception> _failure;
    private readonly TimeProvider _time;
    private Task? _loop;

    public FeedRangeReader(Container container, RangeCursor start, CosmosFeedMode mode, CosmosSourceOptions options,
        Func<JsonElement, FeedChange> parse, Func<ResponseMessage, Exception> failure, TimeProvider time)
    {
        _container = container;
        _feedRange = FeedRange.FromJsonString(start.FeedRange);
        // Copied: the capture loop advances the cursor object while this reader runs.
        _startContinuation = start.Continuation;
        _startSkipThrough = start.SkipThroughLsn;
        _startCode = start.Start ?? "b";
        _mode = mode;
        _options = options;
        _parse = parse;
        _failure = failure;
        _time = time;
    }

    public ChannelReader<FeedPage> Pages => _pages.Reader;

    /// <summary>Successful answers read (pages and 304s), for tests and health.</summary>
    public long Reads { get; private set; }

    /// <summary>Transient failures retried so far.</summary>
    public long Retries { get; private set; }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Asks an idle reader to poll now instead of after PollDelay (a backfill waits for it).</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        _stop.Dispose();
        _wake.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var continuation = _startContinuation;
        var skipThrough = _startSkipThrough;
        var retry = new CosmosRetry(_options);
        FeedIterator? iterator = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                iterator ??= _container.GetChangeFeedStreamIterator(StartFrom(continuation), _mode == CosmosFeedMode.AllVersionsAndDeletes ? ChangeFeedMode.AllVersionsAndDeletes : ChangeFeedMode.LatestVersion,
                    new ChangeFeedRequestOptions { PageSizeHint = _options.MaxItemCount });
                var startedMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
                ResponseMessage response;
                try
                {
                    response = await iterator.ReadNextAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (CosmosErrors.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
                {
                    // A failed read leaves the continuation where it was: a new iterator from it re-reads the same page.
                    iterator = null;
                    Retries++;
                    if (!await retry.WaitAsync((ex as CosmosException)?.RetryAfter, cancellationToken).ConfigureAwait(false))
                    {
                        throw new CosmosSourceException($"Cosmos DB change feed read failed {retry.Attempts} times in a row: {ex.Message}", null, ex);
                    }
                    continue;
                }
                using (response)
                {
                    if (response.StatusCode == HttpStatusCode.NotModified)
                    {
                        Reads++;
                        retry.Reset();
                        continuation = response.ContinuationToken ?? continuation;
                        await _pages.Writer.WriteAsync(new FeedPage([], continuation, continuation, startedMs), cancellationToken).ConfigureAwait(false);
                        await _wake.WaitAsync(_options.PollDelay, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                    if (!response.IsSuccessStatusCode)
                    {
                        if (CosmosErrors.IsTransient(response.StatusCode, CosmosErrors.SubStatus(response)))
                        {
                            iterator = null;
                            Retries++;
                            if (!await retry.WaitAsync(CosmosErrors.RetryAfter(response), cancellationToken).ConfigureAwait(false))
                            {
                                throw _failure(response);
                            }
                            continue;
                        }
                        throw _failure(response);
                    }
                    Reads++;
                    retry.Reset();
                    using var page = await JsonDocument.ParseAsync(response.Content, cancellationToken: cancellationToken).ConfigureAwait(false);
                    var items = new List<FeedChange>();
                    foreach (var item in page.RootElement.GetProperty("Documents").EnumerateArray())
                    {
                        var change = _parse(item);
                        if (skipThrough is { } skip && change.Lsn <= skip)
                        {
                            continue; // emitted before a restart that cut this page
                        }
                        items.Add(change);
                    }
                    skipThrough = null;
                    var before = continuation;
                    continuation = response.ContinuationToken ?? continuation;
                    await _pages.Writer.WriteAsync(new FeedPage(items, before, continuation, null), cancellationToken).ConfigureAwait(false);
                }
            }
            _pages.Writer.TryComplete();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _pages.Writer.TryComplete();
        }
        catch (Exception ex)
        {
            _pages.Writer.TryComplete(ex);
        }
    }

    private ChangeFeedStartFrom StartFrom(string? continuation)
    {
        if (continuation is not null)
        {
            return ChangeFeedStartFrom.ContinuationToken(continuation);
        }
        var start = _startCode;
        if (start == "n")
        {
            return ChangeFeedStartFrom.Now(_feedRange);
        }
        if (start.StartsWith("t:", StringComparison.Ordinal) && long.TryParse(start.AsSpan(2), out var seconds))
        {
            return ChangeFeedStartFrom.Time(DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime, _feedRange);
        }
        return ChangeFeedStartFrom.Beginning(_feedRange);
    }
}
