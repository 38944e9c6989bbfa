using System.Collections.Concurrent;
using SnapshotService.Simulated;
using SnapshotService.Sources;

namespace SnapshotService.Grains.Tests;

/// <summary>
/// A simulated source that can be made unreachable: while its id is in <see cref="Down"/>, every
/// read throws, as a source (or a network) outage would.
/// </summary>
internal sealed class FlakySource(SimulatedSource inner) : IChangeSource, IReadCoverage
{
    /// <summary>Ids of the sources that are down now.</summary>
    public static ConcurrentDictionary<string, bool> Down { get; } = new(StringComparer.Ordinal);

    public SourceDescriptor Describe() => inner.Describe();

    public ValueTask<ChangeBatch> ReadChangesAsync(SourcePosition after, int maxChanges, CancellationToken cancellationToken) =>
        Down.ContainsKey(inner.SourceId)
            ? throw new IOException($"source '{inner.SourceId}' is unreachable (test outage)")
            : inner.ReadChangesAsync(after, maxChanges, cancellationToken);

    public IAsyncEnumerable<SourceDocument> ScanAsync(KeyRange range, CancellationToken cancellationToken) => inner.ScanAsync(range, cancellationToken);

    public ValueTask<KeyReadResult> ReadKeysAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) => inner.ReadKeysAsync(keys, cancellationToken);

    /// <summary>What capture has passed is the simulated source's to say (the settle of drift candidates asks).</summary>
    public bool Covers(SourcePosition committed, KeyReadResult read) => inner.Covers(committed, read);

    public ValueTask<SourceWatermark> GetWatermarkAsync(CancellationToken cancellationToken) => inner.GetWatermarkAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
