using SnapshotService.Sources;

namespace SnapshotService.State;

/// <summary>
/// One live key of a source's export at some seq: what the last record for it said, and where
/// that record lives. Deleted keys have no entry. The document itself is not copied into the
/// state: read segment <see cref="Segment"/> and take the line with seq <see cref="Seq"/>.
/// </summary>
/// <param name="Key">Document key.</param>
/// <param name="PartitionKey">Partition key or null.</param>
/// <param name="Seq">Seq of the record that set the key.</param>
/// <param name="SourceVersion">Source version of that record.</param>
/// <param name="ContentHash">Canonical content hash (the 32 hex digits of the segment, as a number).</param>
/// <param name="Origin">capture | backfill | repair.</param>
/// <param name="Segment">Segment holding the record, relative to the source root (e.g. <c>segments/…jsonl.zst</c>).</param>
public sealed record LiveEntry(
    string Key,
    string? PartitionKey,
    long Seq,
    long SourceVersion,
    UInt128 ContentHash,
    ChangeOrigin Origin,
    string Segment);
