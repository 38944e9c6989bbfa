using SnapshotService.Simulated;
using SnapshotService.Sources;

namespace SnapshotService.Benchmarks;

/// <summary>Passes reads through and signals once the capped simulated history has been read to its end.</summary>
internal sealed class EndSignallingSource(SimulatedSource inner) : IChangeSource
{
    private readonly TaskCompletionSource _end = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task ReachedEnd => _end.Task;

    public SourceDescriptor Describe() => inner.Describe();

    public async ValueTask<ChangeBatch> ReadChangesAsync(SourcePosition after, int maxChanges, CancellationToken cancellationToken)
    {
        var batch = await inner.ReadChangesAsync(after, maxChanges, cancellationToken);
        if (inner.IsAtEnd(batch.PositionAfter))
        {
            _end.TrySetResult();
        }
        return batch;
    }

    public IAsyncEnumerable<SourceDocument> ScanAsync(KeyRange range, CancellationToken cancellationToken) => inner.ScanAsync(range, cancellationToken);

    public ValueTask<KeyReadResult> ReadKeysAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) => inner.ReadKeysAsync(keys, cancellationToken);

    public ValueTask<SourceWatermark> GetWatermarkAsync(CancellationToken cancellationToken) => inner.GetWatermarkAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
