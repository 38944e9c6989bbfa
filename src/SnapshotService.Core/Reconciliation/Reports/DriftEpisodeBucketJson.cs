using System.Text.Json;

namespace SnapshotService.Reconciliation.Reports;

/// <summary>
/// JSON form of an episode bucket <c>reports/episodes/{bucket:x2}.json</c>: the episodes of the keys
/// hashing to the bucket, sorted by key, and the newest report merged into it (merging is idempotent).
/// </summary>
internal static class DriftEpisodeBucketJson
{
    public static byte[] Encode(string? mergedThrough, IEnumerable<DriftEpisode> episodes) => JsonSerializer.SerializeToUtf8Bytes(
        new BucketDto(1, mergedThrough, [.. episodes.Select(e => new EpisodeDto(e.Key, e.FirstSeen, e.LastSeen, e.TimesSeen, DriftCategoryNames.NameOf(e.LastCategory), e.LastReportId, e.RepairedAt))]),
        DriftReportJson.Options);

    public static (string? MergedThrough, SortedDictionary<string, DriftEpisode> Episodes) Decode(string key, byte[]? json)
    {
        var episodes = new SortedDictionary<string, DriftEpisode>(StringComparer.Ordinal);
        if (json is null)
        {
            return (null, episodes);
        }
        BucketDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize<BucketDto>(json, DriftReportJson.Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Drift episode bucket '{key}' is not valid JSON: {e.Message}", e);
        }
        if (dto is null || dto.Format != 1 || dto.Episodes is null)
        {
            throw new InvalidDataException($"Drift episode bucket '{key}' is malformed or has an unknown format (expected format 1 with episodes).");
        }
        foreach (var e in dto.Episodes)
        {
            var category = DriftCategoryNames.TryParse(e.LastCategory);
            if (e.Key is null || e.LastReportId is null || category is null)
            {
                throw new InvalidDataException($"Drift episode bucket '{key}' holds an episode without key, last_report_id or a known last_category.");
            }
            episodes[e.Key] = new DriftEpisode(e.Key, e.FirstSeen, e.LastSeen, e.TimesSeen, category.Value, e.LastReportId, e.RepairedAt);
        }
        return (dto.MergedThrough, episodes);
    }

    private sealed record EpisodeDto(string? Key, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, long TimesSeen, string? LastCategory, string? LastReportId, DateTimeOffset? RepairedAt);

    private sealed record BucketDto(int Format, string? MergedThrough, List<EpisodeDto>? Episodes);
}
