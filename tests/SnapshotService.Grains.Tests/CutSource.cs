using SnapshotService.Simulated;
using SnapshotService.Sources;

namespace SnapshotService.Grains.Tests;

/// <summary>
/// A simulated source with a consistent cut, as Cosmos DB has: the cut is the readable position
/// when it is taken, passed once the committed position reaches it. "sim-nocut-…" sources name a
/// cut that is never passed (a feed range that never catches up).
/// </summary>
internal sealed class CutSource(SimulatedSource inner, bool neverPassed) : IChangeSource, IConsistentCut
{
    public SourceDescriptor Describe() => inner.Describe();

    public ValueTask<ChangeBatch> ReadChangesAsync(SourcePosition after, int maxChanges, CancellationToken cancellationToken) => inner.ReadChangesAsync(after, maxChanges, cancellationToken);

    public IAsyncEnumerable<SourceDocument> ScanAsync(KeyRange range, CancellationToken cancellationToken) => inner.ScanAsync(range, cancellationToken);

    public ValueTask<KeyReadResult> ReadKeysAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) => inner.ReadKeysAsync(keys, cancellationToken);

    public ValueTask<SourceWatermark> GetWatermarkAsync(CancellationToken cancellationToken) => inner.GetWatermarkAsync(cancellationToken);

    /// <summary>Cuts taken so far, for assertions.</summary>
    public static long CutsTaken => Interlocked.Read(ref s_cuts);

    private static long s_cuts;

    public ValueTask<SourcePosition> GetCutAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref s_cuts);
        return ValueTask.FromResult(new SourcePosition($"cut:{(neverPassed ? long.MaxValue : inner.ReadableChanges())}"));
    }

    public bool HasPassed(SourcePosition committed, SourcePosition cut) =>
        inner.TryGetUnderlyingPosition(committed, out var consumed) && consumed >= long.Parse(cut.Token.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
