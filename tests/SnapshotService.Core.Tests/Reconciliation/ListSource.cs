using System.Runtime.CompilerServices;
using SnapshotService.Sources;

namespace SnapshotService.Core.Tests.Reconciliation;

/// <summary>A source whose current state is a list of documents; counts scans, and can be made to throw after some documents.</summary>
public sealed class ListSource(IEnumerable<SourceDocument> documents) : IChangeSource
{
    private readonly List<SourceDocument> _documents = [.. documents.OrderBy(d => d.Key, StringComparer.Ordinal)];

    public int Scans { get; private set; }

    public List<KeyRange> ScannedRanges { get; } = [];

    private int _yielded;

    /// <summary>When set, scans throw once this many documents were yielded in total.</summary>
    public int? ThrowAfter { get; set; }

    public SourceDescriptor Describe() => new("list", "test", "in-memory list");

    public ValueTask<ChangeBatch> ReadChangesAsync(SourcePosition after, int maxChanges, CancellationToken cancellationToken) =>
        throw new NotSupportedException("A list source has no change log.");

    public async IAsyncEnumerable<SourceDocument> ScanAsync(KeyRange range, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Scans++;
        ScannedRanges.Add(range);
        foreach (var document in _documents)
        {
            if (!range.Contains(document.Key))
            {
                continue;
            }
            if (ThrowAfter is { } limit && _yielded >= limit)
            {
                throw new IOException("connection to the source was reset");
            }
            await Task.CompletedTask;
            _yielded++;
            yield return document;
        }
    }

    public ValueTask<KeyReadResult> ReadKeysAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var wanted = keys.ToHashSet(StringComparer.Ordinal);
        PointReads += keys.Count;
        return ValueTask.FromResult(new KeyReadResult([.. _documents.Where(d => wanted.Contains(d.Key))], ReadVersion));
    }

    /// <summary>Keys point-read so far.</summary>
    public int PointReads { get; private set; }

    /// <summary>The version point reads report (deletes repaired from them carry it).</summary>
    public long ReadVersion { get; set; } = long.MaxValue / 2;

    public ValueTask<SourceWatermark> GetWatermarkAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(new SourceWatermark(SourcePosition.Start, null));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
