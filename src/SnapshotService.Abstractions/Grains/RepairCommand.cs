using SnapshotService.Sources;

namespace SnapshotService.Grains;

/// <summary>
/// Repair records for one source, written through its SourceGrain's single commit path (the same
/// log writer as capture), so repairs get seq numbers in the one gap-free order.
/// </summary>
/// <param name="ComparedSeq">
/// The export seq the reconciliation compared at. Before writing, the commit path re-checks every
/// key against the records committed after it: a key capture has meanwhile written at the same or
/// a newer source version is skipped (a repair never overwrites a newer version).
/// </param>
/// <param name="Items">The keys to write, each with the source version read just before.</param>
[GenerateSerializer, Immutable]
[Alias("SnapshotService.RepairCommand")]
public sealed record RepairCommand(
    [property: Id(0)] long ComparedSeq,
    [property: Id(1)] IReadOnlyList<RepairItem> Items);

/// <summary>One key to repair: the source's current document (upsert) or its absence (delete).</summary>
/// <param name="Key">Document key.</param>
/// <param name="PartitionKey">Partition key, or null.</param>
/// <param name="Operation">Upsert (the source has the key) or delete (it does not).</param>
/// <param name="SourceVersion">The version read (for a delete: the read version at which the key was absent).</param>
/// <param name="Document">The document as UTF-8 JSON; empty for deletes.</param>
[GenerateSerializer, Immutable]
[Alias("SnapshotService.RepairItem")]
public sealed record RepairItem(
    [property: Id(0)] string Key,
    [property: Id(1)] string? PartitionKey,
    [property: Id(2)] ChangeOperation Operation,
    [property: Id(3)] long SourceVersion,
    [property: Id(4)] byte[] Document)
{
    /// <summary>
    /// The origin written to the log: <see cref="ChangeOrigin.Repair"/> for reconciliation repairs;
    /// a retried dead letter keeps the origin it was read with (it is that change, late).
    /// </summary>
    [Id(5)]
    public ChangeOrigin Origin { get; init; } = ChangeOrigin.Repair;
}

/// <summary>What the commit path did with a <see cref="RepairCommand"/>.</summary>
/// <param name="Written">Repair records committed.</param>
/// <param name="SkippedNewer">Keys skipped because the export already held that version or a newer one.</param>
/// <param name="FirstSeq">Seq of the first repair record, or null when none was written.</param>
/// <param name="LastSeq">Seq of the last repair record, or null.</param>
[GenerateSerializer, Immutable]
[Alias("SnapshotService.RepairOutcome")]
public sealed record RepairOutcome(
    [property: Id(0)] int Written,
    [property: Id(1)] int SkippedNewer,
    [property: Id(2)] long? FirstSeq,
    [property: Id(3)] long? LastSeq)
{
    /// <summary>The keys counted in <see cref="SkippedNewer"/> (so reports and drift episodes can say which keys were repaired).</summary>
    [Id(4)]
    public IReadOnlyList<string> SkippedKeys { get; init; } = [];
}
