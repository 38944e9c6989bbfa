using System.Net;
using System.Text.Json;
using Microsoft.Azure.Cosmos;

namespace SnapshotService.Sources.Cosmos;

/// <summary>
/// Backfill of <see cref="CosmosChangeSource"/>: whole container through the LatestVersion feed
/// from the beginning, or keys through their logical partitions' feeds, merged with capture
/// without regression (see the class remarks and docs/sources/cosmos.md).
/// </summary>
public sealed partial class CosmosChangeSource
{
    private void FoldRequests(CosmosPosition state, List<SourceNotice> notices)
    {
        while (_requests.TryDequeue(out var keys))
        {
            if (state.Backfill is null)
            {
                StartBackfill(state, keys, notices, "requested");
            }
            else
            {
                (state.Queued ??= []).Add(keys);
            }
        }
    }

    private static void StartBackfill(CosmosPosition state, List<string>? keys, List<SourceNotice> notices, string why)
    {
        state.Backfill = keys is null
            ? new BackfillCursor { Ranges = [.. state.Ranges.Select(r => new BackfillRange { FeedRange = r.FeedRange })] }
            : new BackfillCursor { Keys = keys };
        notices.Add(new SourceNotice(SourceNoticeKind.BackfillStarted,
            keys is null ? $"backfill of the whole container started ({why}): the LatestVersion feed from the beginning, {state.Ranges.Count} feed ranges" : $"backfill of {keys.Count} keys started ({why})"));
    }

    /// <summary>Reads the backfill's next page when none is pending, and emits a pending page once capture has passed the moment it was read.</summary>
    private async Task StepBackfillAsync(CosmosContainerAccess access, CosmosPosition state, List<SourceChange> changes, int maxChanges, List<SourceNotice> notices, CancellationToken cancellationToken)
    {
        var backfill = state.Backfill;
        if (backfill is null)
        {
            return;
        }
        if (_pendingBackfill is null && state.Ranges.Any(r => r.Continuation is null))
        {
            // A range reading "from now" has not fixed its start yet: a page read before that
            // could miss a write made between the page and the range's start.
            foreach (var reader in _readers)
            {
                reader.Wake();
            }
            return;
        }
        if (_pendingBackfill is null)
        {
            _pendingBackfill = backfill.Keys is { } keys
                ? await ReadKeysPageAsync(access, keys, backfill.KeysDone, Math.Min(KeysPerBackfillStep, maxChanges), cancellationToken).ConfigureAwait(false)
                : await ReadRangePageAsync(access, backfill, Math.Min(_options.MaxItemCount, maxChanges), cancellationToken).ConfigureAwait(false);
            foreach (var reader in _readers)
            {
                reader.Wake();
            }
        }
        var pending = _pendingBackfill;
        if (pending is not null)
        {
            var ranges = pending.RangeIndex is { } r ? [state.Ranges[r]] : state.Ranges;
            if (ranges.Any(c => c.CaughtUpAtMs < pending.ReadDoneMs) || changes.Count + pending.Items.Count > maxChanges && changes.Count > 0)
            {
                return; // capture has not yet emitted everything older than the page
            }
            foreach (var item in pending.Items)
            {
                if (_newestEmitted.TryGetValue(item.Key, out var newer) && newer > item.SourceVersion)
                {
                    continue; // capture already has a newer version of this key
                }
                changes.Add(item);
            }
            backfill.Documents += pending.Items.Count;
            if (pending.RangeIndex is { } done)
            {
                backfill.Ranges![done].Continuation = pending.ContinuationAfter;
                backfill.Ranges[done].Done |= pending.RangeDone;
            }
            else
            {
                backfill.KeysDone += pending.KeyCount;
            }
            _pendingBackfill = null;
        }
        var finished = backfill.Keys is { } all ? backfill.KeysDone >= all.Count : backfill.Ranges!.All(x => x.Done);
        if (finished)
        {
            notices.Add(new SourceNotice(SourceNoticeKind.BackfillCompleted, backfill.Keys is null
                ? $"backfill of the whole container finished: {backfill.Documents} documents"
                : $"backfill of {backfill.Keys.Count} keys finished: {backfill.Documents} documents found"));
            state.Backfill = null;
            _newestEmitted.Clear();
            if (state.Queued is { Count: > 0 } queued)
            {
                var next = queued[0];
                queued.RemoveAt(0);
                state.Queued = queued.Count == 0 ? null : queued;
                StartBackfill(state, next, notices, "queued");
            }
        }
    }

    private async Task<PendingBackfill?> ReadRangePageAsync(CosmosContainerAccess access, BackfillCursor backfill, int pageSize, CancellationToken cancellationToken)
    {
        var index = backfill.Ranges!.FindIndex(r => !r.Done);
        if (index < 0)
        {
            return null;
        }
        var range = backfill.Ranges[index];
        var start = range.Continuation is { } c ? ChangeFeedStartFrom.ContinuationToken(c) : ChangeFeedStartFrom.Beginning(FeedRange.FromJsonString(range.FeedRange));
        var iterator = access.Container.GetChangeFeedStreamIterator(start, ChangeFeedMode.LatestVersion, new ChangeFeedRequestOptions { PageSizeHint = pageSize });
        using var response = await access.WithRetryAsync(() => iterator.ReadNextAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
        var doneMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            return new PendingBackfill(index, [], response.ContinuationToken, true, 0, 0);
        }
        access.ThrowIfFailed(response);
        using var page = await JsonDocument.ParseAsync(response.Content, cancellationToken: cancellationToken).ConfigureAwait(false);
        var items = page.RootElement.GetProperty("Documents").EnumerateArray().Select(i => FeedParsing.Latest(i, access.Keys, ChangeOrigin.Backfill).Change).ToList();
        return new PendingBackfill(index, items, response.ContinuationToken, false, 0, doneMs);
    }

    /// <summary>
    /// Reads keys through the LatestVersion feed of each key's logical partition (from the beginning):
    /// unlike a point read it carries <c>_lsn</c>, so the backfill version equals the captured one.
    /// </summary>
    private async Task<PendingBackfill> ReadKeysPageAsync(CosmosContainerAccess access, List<string> keys, int from, int count, CancellationToken cancellationToken)
    {
        var chunk = keys.Skip(from).Take(count).ToList();
        var found = new List<SourceChange>();
        foreach (var key in chunk)
        {
            (string Id, PartitionKey PartitionKey) parsed;
            try
            {
                parsed = access.Keys.Parse(key);
            }
            catch (FormatException)
            {
                continue; // not a key this container can hold: nothing to backfill
            }
            var iterator = access.Container.GetChangeFeedStreamIterator(ChangeFeedStartFrom.Beginning(FeedRange.FromPartitionKey(parsed.PartitionKey)), ChangeFeedMode.LatestVersion,
                new ChangeFeedRequestOptions { PageSizeHint = _options.MaxItemCount });
            while (true)
            {
                using var response = await access.WithRetryAsync(() => iterator.ReadNextAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.NotModified)
                {
                    break;
                }
                access.ThrowIfFailed(response);
                using var page = await JsonDocument.ParseAsync(response.Content, cancellationToken: cancellationToken).ConfigureAwait(false);
                foreach (var item in page.RootElement.GetProperty("Documents").EnumerateArray())
                {
                    var change = FeedParsing.Latest(item, access.Keys, ChangeOrigin.Backfill).Change;
                    if (change.Key == key)
                    {
                        found.Add(change);
                    }
                }
            }
        }
        return new PendingBackfill(null, found, null, false, chunk.Count, _time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    private sealed record PendingBackfill(int? RangeIndex, List<SourceChange> Items, string? ContinuationAfter, bool RangeDone, int KeyCount, long ReadDoneMs);
}
