namespace SnapshotService.Reconciliation;

/// <summary>
/// One drifted key, with what each side holds: enough for a repair step to decide what to write
/// (it re-reads the document from the source by key and re-checks the version before writing; the
/// document itself is not carried, so a drift list costs metadata only).
/// </summary>
/// <param name="Key">Document key.</param>
/// <param name="Category">How the key drifted.</param>
/// <param name="RangeIndex">The range (index into <see cref="State.LiveView.DigestsAtAsync"/> at the compared seq) that holds the key.</param>
/// <param name="ExportSeq">Seq of the export record that set the key, or null when the export lacks it.</param>
/// <param name="ExportVersion">Source version of that record, or null.</param>
/// <param name="ExportContentHash">Content hash of that record, or null.</param>
/// <param name="ExportPartitionKey">Partition key of that record, or null.</param>
/// <param name="SourceVersion">Version the source scan read, or null when the source lacks the key.</param>
/// <param name="SourceContentHash">Content hash of the scanned document, or null.</param>
/// <param name="SourcePartitionKey">Partition key of the scanned document, or null.</param>
public sealed record DriftItem(
    string Key,
    DriftCategory Category,
    int RangeIndex,
    long? ExportSeq,
    long? ExportVersion,
    UInt128? ExportContentHash,
    string? ExportPartitionKey,
    long? SourceVersion,
    UInt128? SourceContentHash,
    string? SourcePartitionKey);
