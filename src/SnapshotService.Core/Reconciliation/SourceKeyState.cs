namespace SnapshotService.Reconciliation;

/// <summary>What the source scan read for one key, without the document (the unit buffered for an exact diff).</summary>
/// <param name="Key">Document key.</param>
/// <param name="PartitionKey">Partition key, or null.</param>
/// <param name="Version">Source version read.</param>
/// <param name="ContentHash">Canonical content hash of the document read.</param>
internal readonly record struct SourceKeyState(string Key, string? PartitionKey, long Version, UInt128 ContentHash);
