namespace SnapshotService.Sources;

/// <summary>
/// Implemented by adapters whose log has no single "now" position but can name a cut: Cosmos DB
/// reads its feed ranges in parallel, so "latest" is only consistent once capture has read every
/// range up to the moment of the request. A snapshot of "latest" (no seq, no time) waits, bounded,
/// until the committed position has passed the cut taken when the request arrived.
/// </summary>
public interface IConsistentCut
{
    /// <summary>Takes a cut now: every change made before this call is behind it.</summary>
    ValueTask<SourcePosition> GetCutAsync(CancellationToken cancellationToken);

    /// <summary>True when <paramref name="committed"/> (a position this adapter returned) includes every change behind <paramref name="cut"/>.</summary>
    bool HasPassed(SourcePosition committed, SourcePosition cut);
}
