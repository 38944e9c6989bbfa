namespace SnapshotService.Grains;

/// <summary>Asks a source to backfill: re-read the whole collection (Keys null) or the given keys, lock-free, through capture.</summary>
/// <param name="Keys">The keys to backfill, or null for the whole collection.</param>
[GenerateSerializer, Immutable]
[Alias("SnapshotService.BackfillCommand")]
public sealed record BackfillCommand([property: Id(0)] IReadOnlyList<string>? Keys)
{
    /// <summary>Most keys one request may name; beyond that, backfill the whole collection.</summary>
    public const int MaxKeys = 10_000;
}
