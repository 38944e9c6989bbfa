namespace SnapshotService.Sources;

/// <summary>
/// An opaque position in a source's change log: the simulated source's offset, a MongoDB resume
/// token, or Cosmos DB feed-range continuations. Only the adapter that produced it interprets it.
/// </summary>
/// <remarks>
/// A position counts as durable only once the commit record that carries it exists in the export
/// store: the log stores the position after a batch in the same atomic commit as the batch's
/// changes, so resuming from the last committed position neither loses nor repeats a change.
/// </remarks>
[GenerateSerializer, Immutable]
[Alias("SnapshotService.SourcePosition")]
public readonly record struct SourcePosition([property: Id(0)] string Token)
{
    /// <summary>The position before the first change of a source.</summary>
    public static SourcePosition Start { get; } = new(string.Empty);

    /// <summary>True for <see cref="Start"/> (also for a default-constructed value).</summary>
    public bool IsStart => string.IsNullOrEmpty(Token);

    /// <inheritdoc />
    public override string ToString() => IsStart ? "(start)" : Token;
}
