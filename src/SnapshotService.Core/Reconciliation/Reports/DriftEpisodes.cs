using System.Globalization;
using System.IO.Hashing;
using System.Text;
using SnapshotService.Errors;
using SnapshotService.Paging;
using SnapshotService.Storage;

namespace SnapshotService.Reconciliation.Reports;

/// <summary>
/// Per-source drift episodes, kept in 256 small buckets <c>reports/episodes/{xx}.json</c> chosen by
/// the low byte of XxHash64(key): merging a report rewrites only the buckets its drifted keys fall
/// in, never one file holding every key ever drifted. Each bucket records the newest report merged
/// into it, so merging the same report again (a retry after a crash half-way) changes nothing.
/// </summary>
/// <remarks>
/// Buckets are read-modify-written with a plain put: callers serialize merges per source (the
/// reconciliation grain runs one reconciliation per source at a time). Merging holds the report's
/// drifted keys grouped by bucket in memory (about 100 bytes per key).
/// </remarks>
public sealed class DriftEpisodes(IObjectStore store)
{
    /// <summary>Number of buckets (part of the layout: changing it moves every key).</summary>
    public const int BucketCount = 256;

    private readonly IObjectStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>The bucket of a key.</summary>
    public static int BucketOf(string key) => (int)(XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(key)) & 0xFF);

    /// <summary>
    /// Merges every drifted key of <paramref name="report"/> (a report read from the store or returned
    /// by <see cref="DriftReportWriter"/>): times seen + 1, last seen = the run's start, first seen set
    /// on the first time. Buckets that already merged this report or a newer one are left alone.
    /// Returns the keys merged.
    /// </summary>
    public async Task<long> MergeAsync(DriftReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var byBucket = new Dictionary<int, List<DriftItem>>();
        await foreach (var item in new DriftReportStore(_store).ReadAllItemsAsync(report, cancellationToken).ConfigureAwait(false))
        {
            var bucket = BucketOf(item.Key);
            if (!byBucket.TryGetValue(bucket, out var list))
            {
                byBucket[bucket] = list = [];
            }
            list.Add(item);
        }
        long merged = 0;
        foreach (var (bucket, items) in byBucket.OrderBy(b => b.Key))
        {
            var key = StoreKeys.DriftEpisodesBucket(report.SourceId, bucket);
            var (mergedThrough, episodes) = DriftEpisodeBucketJson.Decode(key, await _store.ReadAsync(key, cancellationToken).ConfigureAwait(false));
            if (mergedThrough is not null && string.CompareOrdinal(mergedThrough, report.Id) >= 0)
            {
                continue;
            }
            foreach (var item in items)
            {
                episodes[item.Key] = episodes.TryGetValue(item.Key, out var e)
                    ? e with { LastSeen = report.StartedAt, TimesSeen = e.TimesSeen + 1, LastCategory = item.Category, LastReportId = report.Id }
                    : new DriftEpisode(item.Key, report.StartedAt, report.StartedAt, 1, item.Category, report.Id, null);
                merged++;
            }
            await _store.PutAsync(key, DriftEpisodeBucketJson.Encode(report.Id, episodes.Values), cancellationToken).ConfigureAwait(false);
        }
        return merged;
    }

    /// <summary>Records that repair wrote <paramref name="keys"/> at <paramref name="repairedAt"/>; keys without an episode are ignored. Returns the episodes updated.</summary>
    public async Task<int> MarkRepairedAsync(string sourceId, IEnumerable<string> keys, DateTimeOffset repairedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        SourceIds.Validate(sourceId);
        var updated = 0;
        foreach (var group in keys.Distinct(StringComparer.Ordinal).GroupBy(BucketOf).OrderBy(g => g.Key))
        {
            var key = StoreKeys.DriftEpisodesBucket(sourceId, group.Key);
            var bytes = await _store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
            if (bytes is null)
            {
                continue;
            }
            var (mergedThrough, episodes) = DriftEpisodeBucketJson.Decode(key, bytes);
            var changed = false;
            foreach (var documentKey in group)
            {
                if (episodes.TryGetValue(documentKey, out var e))
                {
                    episodes[documentKey] = e with { RepairedAt = repairedAt };
                    changed = true;
                    updated++;
                }
            }
            if (changed)
            {
                await _store.PutAsync(key, DriftEpisodeBucketJson.Encode(mergedThrough, episodes.Values), cancellationToken).ConfigureAwait(false);
            }
        }
        return updated;
    }

    /// <summary>
    /// Lists episodes seen at least <paramref name="minTimesSeen"/> times (0 or 1 = all), in bucket
    /// then key order. page_size 1..1000 (0 = 100); bad values → InvalidArgument naming min_times_seen, page_size or page_token.
    /// </summary>
    public async Task<DriftEpisodePage> ListAsync(string sourceId, long minTimesSeen, int pageSize, string? pageToken, CancellationToken cancellationToken)
    {
        SourceIds.Validate(sourceId);
        if (minTimesSeen < 0)
        {
            throw SnapshotServiceException.InvalidArgument("min_times_seen", $"min_times_seen {minTimesSeen} is negative; use 0 or more (0 and 1 both list every episode).");
        }
        pageSize = PageTokens.NormalizePageSize(pageSize);
        var position = PageTokens.Decode(pageToken, p => TryParsePosition(p, out _, out _));
        var (startBucket, afterKey) = (0, (string?)null);
        if (position is not null)
        {
            TryParsePosition(position, out startBucket, out afterKey);
        }

        var page = new List<DriftEpisode>(pageSize);
        for (var bucket = startBucket; bucket < BucketCount; bucket++)
        {
            var key = StoreKeys.DriftEpisodesBucket(sourceId, bucket);
            var bytes = await _store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
            if (bytes is null)
            {
                continue;
            }
            foreach (var episode in DriftEpisodeBucketJson.Decode(key, bytes).Episodes.Values)
            {
                if (bucket == startBucket && afterKey is not null && string.CompareOrdinal(episode.Key, afterKey) <= 0)
                {
                    continue;
                }
                if (episode.TimesSeen < minTimesSeen)
                {
                    continue;
                }
                if (page.Count == pageSize)
                {
                    return new DriftEpisodePage(page, PageTokens.Encode(FormatPosition(BucketOf(page[^1].Key), page[^1].Key)));
                }
                page.Add(episode);
            }
        }
        return new DriftEpisodePage(page, null);
    }

    private static string FormatPosition(int bucket, string key) => bucket.ToString("x2", CultureInfo.InvariantCulture) + key;

    private static bool TryParsePosition(string position, out int bucket, out string? afterKey)
    {
        afterKey = null;
        if (position.Length < 3 || !int.TryParse(position.AsSpan(0, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bucket))
        {
            bucket = 0;
            return false;
        }
        afterKey = position[2..];
        return true;
    }
}
