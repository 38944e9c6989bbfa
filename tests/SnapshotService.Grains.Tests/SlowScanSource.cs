using System.Runtime.CompilerServices;
using SnapshotService.Sources;

namespace SnapshotService.Grains.Tests;

/// <summary>A source whose range scans pause first, so a reconciliation is reliably still running when a test asks for another.</summary>
internal sealed class SlowScanSource(IChangeSource inner, TimeSpan pause) : IChangeSource, IReadCoverage
{
    public SourceDescriptor Describe() => inner.Describe();

    public ValueTask<ChangeBatch> ReadChangesAsync(SourcePosition after, int maxChanges, CancellationToken cancellationToken) =>
        inner.ReadChangesAsync(after, maxChanges, cancellationToken);

    public async IAsyncEnumerable<SourceDocument> ScanAsync(KeyRange range, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Delay(pause, cancellationToken);
        await foreach (var document in inner.ScanAsync(range, cancellationToken))
        {
            yield return document;
        }
    }

    public ValueTask<KeyReadResult> ReadKeysAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) => inner.ReadKeysAsync(keys, cancellationToken);

    /// <summary>What capture has passed is the simulated source's to say (the settle of drift candidates asks).</summary>
    public bool Covers(SourcePosition committed, KeyReadResult read) => ((IReadCoverage)inner).Covers(committed, read);

    public ValueTask<SourceWatermark> GetWatermarkAsync(CancellationToken cancellationToken) => inner.GetWatermarkAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
