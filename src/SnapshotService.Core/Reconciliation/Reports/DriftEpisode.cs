namespace SnapshotService.Reconciliation.Reports;

/// <summary>The drift history of one key of one source: a key drifting again and again points at a chronic cause.</summary>
/// <param name="Key">Document key.</param>
/// <param name="FirstSeen">Start of the first run that found the key drifted.</param>
/// <param name="LastSeen">Start of the latest run that found it drifted.</param>
/// <param name="TimesSeen">Runs that found it drifted.</param>
/// <param name="LastCategory">How it drifted the last time.</param>
/// <param name="LastReportId">The report of the last time.</param>
/// <param name="RepairedAt">When repair last wrote the key, or null.</param>
public sealed record DriftEpisode(string Key, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, long TimesSeen, DriftCategory LastCategory, string LastReportId, DateTimeOffset? RepairedAt);

/// <summary>One page of episodes, in bucket order then key order.</summary>
/// <param name="Episodes">The episodes.</param>
/// <param name="NextPageToken">Token of the next page, or null when this is the last.</param>
public sealed record DriftEpisodePage(IReadOnlyList<DriftEpisode> Episodes, string? NextPageToken);
