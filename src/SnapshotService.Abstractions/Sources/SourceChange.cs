namespace SnapshotService.Sources;

/// <summary>One change read from a source, before the export log assigns it a sequence number.</summary>
/// <param name="Key">The document key (MongoDB <c>_id</c> rendered as a string, Cosmos <c>id</c>, simulated key).</param>
/// <param name="PartitionKey">The partition key where the store has one; null otherwise.</param>
/// <param name="Operation">Upsert or delete.</param>
/// <param name="SourceVersion">
/// A number that grows with every change of this key at the source (MongoDB clusterTime as
/// seconds &lt;&lt; 32 | increment, Cosmos <c>_lsn</c>, the simulated offset). Used to refuse
/// regressions: an older version never overwrites a newer one.
/// </param>
/// <param name="SourceTime">When the change happened at the source.</param>
/// <param name="Document">The full document as UTF-8 JSON; empty for deletes.</param>
/// <param name="Origin">Capture, backfill or repair.</param>
public sealed record SourceChange(
    string Key,
    string? PartitionKey,
    ChangeOperation Operation,
    long SourceVersion,
    DateTimeOffset SourceTime,
    ReadOnlyMemory<byte> Document,
    ChangeOrigin Origin = ChangeOrigin.Capture);
