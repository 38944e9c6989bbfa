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
public sealed record SourceHealth(TimeSpan? HistoryHeadroom, string? Backfill)
{
    /// <summary>Per part read in parallel (Cosmos DB feed ranges): how far that part is behind; empty for single-stream sources.</summary>
    public IReadOnlyList<SourceRangeLag> RangeLags { get; init; } = [];
}

/// <summary>How far one part of a source's stream (a Cosmos DB feed range) is behind.</summary>
/// <param name="Range">The part's name, stable while the partitioning does not change (e.g. "0", "1").</param>
/// <param name="LagSeconds">Seconds since capture last had everything that part held (its lag bound).</param>
[GenerateSerializer, Immutable]
[Alias("SnapshotService.SourceRangeLag")]
public sealed record SourceRangeLag([property: Id(0)] string Range, [property: Id(1)] double LagSeconds);
