namespace SnapshotService.Sources;

/// <summary>
/// Implemented by adapters that can tell, from a committed position alone, whether capture has
/// read past a point read: the simulated source (positions count changes) and MongoDB (positions
/// carry the stream's cluster time). Reconciliation settles a drift candidate with it: the key is
/// re-read, and judged only once the export has committed everything the re-read saw. Adapters
/// without a single order of changes (Cosmos DB feed ranges) use <see cref="IConsistentCut"/>.
/// </summary>
public interface IReadCoverage
{
    /// <summary>
    /// True when <paramref name="committed"/> (a position this adapter returned) includes every change
    /// visible to <paramref name="read"/> (a result of this adapter's <see cref="IChangeSource.ReadKeysAsync"/>).
    /// </summary>
    bool Covers(SourcePosition committed, KeyReadResult read);
}
