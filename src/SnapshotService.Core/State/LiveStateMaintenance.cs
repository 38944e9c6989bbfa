using SnapshotService.Log;
using SnapshotService.Storage;

namespace SnapshotService.State;

/// <summary>
/// Keeps a source's live-state checkpoint close to its log head: when due, compacts in bounded
/// steps up to the head as it was at the start, then collects files no kept manifest names. The
/// source grain calls it in the background; it never blocks capture (see <see cref="LiveStateCompactor"/>).
/// </summary>
public static class LiveStateMaintenance
{
    /// <summary>True when the tail since <paramref name="manifest"/> is worth a compaction.</summary>
    public static bool IsDue(LiveStateManifest? manifest, long headSeq, DateTimeOffset now, LiveStateMaintenanceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var tail = headSeq - (manifest?.LastSeq ?? 0);
        if (tail <= 0)
        {
            return false;
        }
        var liveKeys = manifest?.Count ?? 0;
        var threshold = Math.Max(options.MinTailChanges, (long)(liveKeys * options.TailFractionOfLiveKeys));
        return tail >= threshold || (manifest is not null && now - manifest.WrittenAt >= options.MaxManifestAge);
    }

    /// <summary>
    /// Compacts when due (<paramref name="force"/> skips the check) and collects garbage.
    /// Returns the manifest in force afterwards, or null when nothing was due.
    /// </summary>
    public static async Task<LiveStateManifest?> RunAsync(IObjectStore store, string sourceId, LiveStateMaintenanceOptions options, bool force, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var log = new ExportLogReader(store, sourceId);
        var head = await log.ReadHeadAsync(cancellationToken).ConfigureAwait(false);
        var manifest = await new LiveStateReader(store, sourceId).ReadLatestManifestAsync(cancellationToken).ConfigureAwait(false);
        if (!(force ? head.LastSeq > (manifest?.LastSeq ?? 0) : IsDue(manifest, head.LastSeq, DateTimeOffset.UtcNow, options)))
        {
            return null;
        }
        var covered = manifest?.LastSeq ?? 0;
        while (covered < head.LastSeq)
        {
            // Steps bound the tail (and so memory) on a long first compaction.
            var stepEnd = Math.Min(head.LastSeq, covered + options.MaxTailChangesPerStep);
            var commit = await log.FindCommitContainingSeqAsync(stepEnd, head, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"Source '{sourceId}': no commit holds seq {stepEnd} although the head is at {head.LastSeq}; run verify-log.");
            manifest = await LiveStateCompactor.CompactAsync(store, sourceId, commit.Number, options.State, cancellationToken).ConfigureAwait(false);
            if (manifest.LastSeq <= covered)
            {
                break; // another compactor is ahead or nothing moved; the next run continues
            }
            covered = manifest.LastSeq;
        }
        await LiveStateGarbageCollector.CollectAsync(store, sourceId, options.State, options.GarbageMinAge, cancellationToken).ConfigureAwait(false);
        return manifest;
    }
}
