using SnapshotService.Sources;

namespace SnapshotService.Grains;

/// <summary>
/// An immutable point-in-time snapshot: the source state after changes 1..<see cref="Seq"/> of
/// its export log. Stored as <c>snapshots/{id}.json</c>, created once, never changed.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("SnapshotService.SnapshotAnchor")]
public sealed record SnapshotAnchor(
    [property: Id(0)] string Id,
    [property: Id(1)] string SourceId,
    [property: Id(2)] long Seq,
    [property: Id(3)] string? Label,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] SourcePosition Position,
    [property: Id(6)] DateTimeOffset? SourceTime);

/// <summary>Where to anchor a new snapshot: at most one of the two; neither means "latest".</summary>
[GenerateSerializer, Immutable]
[Alias("SnapshotService.CreateSnapshotRequest")]
public sealed record CreateSnapshotCommand(
    [property: Id(0)] string? Label,
    [property: Id(1)] long? AtSequence,
    [property: Id(2)] DateTimeOffset? AtTime);
