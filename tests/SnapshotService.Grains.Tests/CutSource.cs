using System.Collections.Concurrent;
using SnapshotService.Simulated;
using SnapshotService.Sources;

namespace SnapshotService.Grains.Tests;

/// <summary>
/// A simulated source with a consistent cut, as Cosmos DB has: the cut is taken
/// <see cref="AheadBy"/> changes beyond the readable position, so capture cannot have passed it
/// when it is taken (like a feed range still behind the others), and is passed once the committed
/// position reaches it. "sim-nocut-…" sources name a cut that is never passed (a feed range that
/// never catches up).
/// </summary>
internal sealed class CutSource(SimulatedSource inner, bool neverPassed) : IChangeSource, IConsistentCut, IReadCoverage
{
    /// <summary>How far the cut lies beyond anything capture can have read: 40 ms of the test sources' 5,000 changes/s.</summary>
    public const long AheadBy = 200;

    private static readonly ConcurrentDictionary<string, long> s_lastCuts = new(StringComparer.Ordinal);

    public SourceDescriptor Describe() => inner.Describe();

    public ValueTask<ChangeBatch> ReadChangesAsync(SourcePosition after, int maxChanges, CancellationToken cancellationToken) => inner.ReadChangesAsync(after, maxChanges, cancellationToken);

    public IAsyncEnumerable<SourceDocument> ScanAsync(KeyRange range, CancellationToken cancellationToken) => inner.ScanAsync(range, cancellationToken);

    public ValueTask<KeyReadResult> ReadKeysAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) => inner.ReadKeysAsync(keys, cancellationToken);

    /// <summary>What capture has passed is the simulated source's to say (the settle of drift candidates asks).</summary>
    public bool Covers(SourcePosition committed, KeyReadResult read) => inner.Covers(committed, read);

    public ValueTask<SourceWatermark> GetWatermarkAsync(CancellationToken cancellationToken) => inner.GetWatermarkAsync(cancellationToken);

    /// <summary>The underlying change count of the last cut taken of <paramref name="sourceId"/>, or null when none was taken.</summary>
    public static long? LastCutOf(string sourceId) => s_lastCuts.TryGetValue(sourceId, out var cut) ? cut : null;

    public ValueTask<SourcePosition> GetCutAsync(CancellationToken cancellationToken)
    {
        // Capture never reads past what is readable now, so a cut beyond it is ahead of every commit made so far.
        var cut = neverPassed ? long.MaxValue : inner.ReadableChanges() + AheadBy;
        s_lastCuts[inner.SourceId] = cut;
        return ValueTask.FromResult(new SourcePosition($"cut:{cut}"));
    }

    public bool HasPassed(SourcePosition committed, SourcePosition cut) =>
        inner.TryGetUnderlyingPosition(committed, out var consumed) && consumed >= long.Parse(cut.Token.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
