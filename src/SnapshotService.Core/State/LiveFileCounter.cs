using System.Runtime.CompilerServices;
using SnapshotService.Log;
using SnapshotService.Storage;

namespace SnapshotService.State;

/// <summary>
/// Keeps <see cref="LiveFileStats"/> current through a compaction: entries of a rewritten range
/// are subtracted as they are read and the merged entries added, so the counts cost nothing
/// beyond the reads compaction does anyway.
/// </summary>
internal sealed class LiveFileCounter
{
    private readonly Dictionary<string, long> _lines = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _live = new(StringComparer.Ordinal);

    private LiveFileCounter()
    {
    }

    /// <summary>
    /// Starts from the counts of <paramref name="previous"/>; a manifest written before counts
    /// existed is counted once by reading its entries and looking its segments up in the log.
    /// </summary>
    public static async Task<LiveFileCounter> StartAsync(LiveStateManifest previous, LiveStateReader state, ExportLogReader log, CancellationToken cancellationToken)
    {
        var counter = new LiveFileCounter();
        if (previous.Files is not null)
        {
            foreach (var file in previous.Files)
            {
                counter._lines[file.Name] = file.Lines;
                counter._live[file.Name] = file.Live;
            }
            return counter;
        }
        for (var i = 0; i < previous.Ranges.Count; i++)
        {
            await foreach (var entry in state.ReadRangeAsync(previous, i, cancellationToken).ConfigureAwait(false))
            {
                counter.Add(entry);
            }
        }
        if (counter._live.Count > 0)
        {
            var head = await log.ReadHeadAsync(cancellationToken).ConfigureAwait(false);
            foreach (var name in counter._live.Keys.ToList())
            {
                counter._lines[name] = await SegmentLinesAsync(log, head, name, cancellationToken).ConfigureAwait(false);
            }
        }
        return counter;
    }

    /// <summary>Records the size of a segment the tail read (new files only appear through the tail or a re-pack).</summary>
    public void NoteFile(string name, long lines) => _lines[name] = lines;

    public void Add(LiveEntry entry) => _live[entry.Segment] = _live.GetValueOrDefault(entry.Segment) + 1;

    /// <summary>Passes <paramref name="entries"/> through, subtracting each from its file's count.</summary>
    public async IAsyncEnumerable<LiveEntry> RemovingAsync(IAsyncEnumerable<LiveEntry> entries, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var entry in entries.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            _live[entry.Segment] = _live.GetValueOrDefault(entry.Segment) - 1;
            yield return entry;
        }
    }

    /// <summary>The files that still hold live entries, by name.</summary>
    /// <exception cref="InvalidDataException">An entry names a file of unknown size, or counts went negative (a damaged manifest).</exception>
    public List<LiveFileStats> ToStats(string sourceId)
    {
        var stats = new List<LiveFileStats>(_live.Count);
        foreach (var (name, live) in _live)
        {
            if (live < 0 || (live > 0 && (!_lines.TryGetValue(name, out var lines) || lines < live)))
            {
                throw new InvalidDataException($"Source '{sourceId}': the live-state file counts disagree with the entries for '{name}' (live {live}, lines {_lines.GetValueOrDefault(name)}). The latest manifest is damaged; delete state/ and compact again.");
            }
            if (live > 0)
            {
                stats.Add(new LiveFileStats(name, _lines[name], live));
            }
        }
        stats.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return stats;
    }

    private static async Task<long> SegmentLinesAsync(ExportLogReader log, LogHead head, string name, CancellationToken cancellationToken)
    {
        if (!StoreKeys.TryParseSegmentFirstSeq(name, out var firstSeq))
        {
            throw new InvalidDataException($"Source '{log.SourceId}': a live-state entry names '{name}', which is not a segment, in a manifest without file counts.");
        }
        var commit = await log.FindCommitContainingSeqAsync(firstSeq, head, cancellationToken).ConfigureAwait(false);
        var segment = commit?.Segments.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal))
            ?? throw new InvalidDataException($"Source '{log.SourceId}': segment '{name}', named by the live state, is not in the log.");
        return segment.LastSeq - segment.FirstSeq + 1;
    }
}
