using System.Collections.Concurrent;

namespace SnapshotService.Telemetry;

/// <summary>
/// Remembers the newest log head this process has seen per source, so a log that comes back older
/// (a store restored from an older copy, a second deployment pointed at another root) is counted
/// in <see cref="CaptureMetrics.PositionRegressions"/> and reported instead of silently resuming.
/// </summary>
public static class LogHeadWatch
{
    private static readonly ConcurrentDictionary<string, long> Newest = new(StringComparer.Ordinal);

    /// <summary>Records <paramref name="commitNumber"/> as seen; returns the newer number seen before when this one is older, else null.</summary>
    public static long? Observe(string sourceId, long commitNumber)
    {
        long? regressedFrom = null;
        Newest.AddOrUpdate(
            sourceId,
            commitNumber,
            (_, seen) =>
            {
                if (commitNumber < seen)
                {
                    regressedFrom = seen;
                    return seen;
                }
                return commitNumber;
            });
        if (regressedFrom is not null)
        {
            CaptureMetrics.PositionRegressions.Add(1, SnapshotServiceTelemetry.Source(sourceId));
        }
        return regressedFrom;
    }
}
