using System.Collections.Concurrent;
using System.Diagnostics;
using SnapshotService.Sources;

namespace SnapshotService.Core.Tests.Reconciliation;

/// <summary>
/// Passes everything to a source and notes, per key, the version of the last point read that
/// included it: the oracle judges a confirmed key at exactly the read the settle judged it by.
/// </summary>
internal sealed class ReadRecordingSource(IChangeSource inner) : IChangeSource, IReadCoverage
{
    private long _firstReadAt = -1;

    /// <summary>Key → read version of its last point read.</summary>
    public ConcurrentDictionary<string, long> LastReadVersion { get; } = new(StringComparer.Ordinal);

    /// <summary>When the first point read began (a <see cref="Stopwatch"/> timestamp), or −1.</summary>
    public long FirstReadAt => Interlocked.Read(ref _firstReadAt);

    public SourceDescriptor Describe() => inner.Describe();

    public ValueTask<ChangeBatch> ReadChangesAsync(SourcePosition after, int maxChanges, CancellationToken cancellationToken) =>
        inner.ReadChangesAsync(after, maxChanges, cancellationToken);

    public IAsyncEnumerable<SourceDocument> ScanAsync(KeyRange range, CancellationToken cancellationToken) => inner.ScanAsync(range, cancellationToken);

    public async ValueTask<KeyReadResult> ReadKeysAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        Interlocked.CompareExchange(ref _firstReadAt, Stopwatch.GetTimestamp(), -1);
        var read = await inner.ReadKeysAsync(keys, cancellationToken);
        foreach (var key in keys)
        {
            LastReadVersion[key] = read.ReadVersion;
        }
        return read;
    }

    public ValueTask<SourceWatermark> GetWatermarkAsync(CancellationToken cancellationToken) => inner.GetWatermarkAsync(cancellationToken);

    public bool Covers(SourcePosition committed, KeyReadResult read) => ((IReadCoverage)inner).Covers(committed, read);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
