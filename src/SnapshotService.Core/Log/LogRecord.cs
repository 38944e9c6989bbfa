using SnapshotService.Sources;

namespace SnapshotService.Log;

/// <summary>One line of a segment: a change with its sequence number and content hash.</summary>
/// <param name="Seq">Sequence number, 1.. per source, no gap, no repeat.</param>
/// <param name="Operation">upsert | delete.</param>
/// <param name="Key">Document key.</param>
/// <param name="PartitionKey">Partition key or null.</param>
/// <param name="SourceVersion">Source version (see <see cref="SourceChange.SourceVersion"/>).</param>
/// <param name="ContentHash">Canonical content hash, 32 lowercase hex digits; null for deletes.</param>
/// <param name="Origin">capture | backfill | repair.</param>
/// <param name="SourceTime">When the change happened at the source.</param>
/// <param name="Document">The document as UTF-8 JSON (as read from the source); empty for deletes.</param>
public sealed record LogRecord(
    long Seq,
    ChangeOperation Operation,
    string Key,
    string? PartitionKey,
    long SourceVersion,
    string? ContentHash,
    ChangeOrigin Origin,
    DateTimeOffset SourceTime,
    ReadOnlyMemory<byte> Document);
