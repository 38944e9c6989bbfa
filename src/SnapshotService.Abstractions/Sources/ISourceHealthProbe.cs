namespace SnapshotService.Sources;

/// <summary>
/// Implemented by adapters that can tell how healthy their stream is beyond lag; shown by GetSource.
/// Called at most every few seconds, never on the capture hot path.
/// </summary>
public interface ISourceHealthProbe
{
    /// <summary>Reads the current health. Adapters answer from cached figures when the source is unreachable.</summary>
    ValueTask<SourceHealth> GetHealthAsync(CancellationToken cancellationToken);
}

/// <summary>Health figures of a source's stream.</summary>
/// <param name="HistoryHeadroom">
/// How long until the saved position falls out of the source's history (MongoDB: the oplog window
/// minus the age of the saved position), or null when unknown or not applicable.
/// </param>
/// <param name="Backfill">A one-line backfill summary ("chunk 12 of ~40, 48,000 documents"), or null when none runs.</param>
public sealed record SourceHealth(TimeSpan? HistoryHeadroom, string? Backfill);
