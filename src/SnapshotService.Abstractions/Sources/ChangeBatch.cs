namespace SnapshotService.Sources;

/// <summary>
/// Changes read after a position, with the position after them. An empty batch whose
/// <see cref="PositionAfter"/> moved still matters: sources such as MongoDB advance their resume
/// token while idle, and committing it keeps the saved position inside the oplog window.
/// </summary>
/// <param name="Changes">The changes in source order.</param>
/// <param name="PositionAfter">Resuming from this position yields the change after the last one here.</param>
public sealed record ChangeBatch(IReadOnlyList<SourceChange> Changes, SourcePosition PositionAfter)
{
    /// <summary>True when the batch carries no change.</summary>
    public bool IsEmpty => Changes.Count == 0;

    /// <summary>
    /// Events the adapter reports alongside the changes (history lost, backfill started or done).
    /// The capture pipeline hands them to the source grain once the batch is committed, so a
    /// reaction such as "reconcile after the re-backfill" never runs ahead of the data.
    /// </summary>
    public IReadOnlyList<SourceNotice> Notices { get; init; } = [];
}
