using System.IO.Hashing;
using System.Runtime.InteropServices;
using SnapshotService.State;

namespace SnapshotService.Views;

/// <summary>One live key of a pass: where its row goes and what its segment line must say.</summary>
/// <param name="Seq">Seq of the record holding the document.</param>
/// <param name="Ordinal">Position of the key in key order within the pass (part = ordinal / rows per part).</param>
/// <param name="Segment">Index of the segment name in <see cref="ViewPlan.Segments"/>.</param>
/// <param name="KeyHash">XxHash3 of the key, to check the line's key without keeping the key string.</param>
/// <param name="ContentHash">The content hash the live state records.</param>
[StructLayout(LayoutKind.Auto)]
internal readonly record struct PlannedRow(long Seq, int Ordinal, int Segment, ulong KeyHash, UInt128 ContentHash);

/// <summary>A contiguous run of planned rows (in seq order) that live in one segment.</summary>
internal readonly record struct SegmentRun(int Segment, int Start, int Count);

/// <summary>
/// The keys of one pass, taken from the live state in key order, then sorted by seq so that every
/// segment they need is read once, in log order. ~40 bytes per key; no key strings are kept.
/// </summary>
internal sealed class ViewPlan(int capacity, List<string> segments, Dictionary<string, int> segmentIndexes)
{
    private readonly PlannedRow[] _rows = new PlannedRow[capacity];
    private readonly long[] _seqs = new long[capacity];

    public int Count { get; private set; }

    /// <summary>Segment names by index (shared by all passes of a run).</summary>
    public List<string> Segments => segments;

    public ReadOnlySpan<PlannedRow> Rows => _rows.AsSpan(0, Count);

    public bool IsFull => Count == _rows.Length;

    public static ulong KeyHash(string key) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(key.AsSpan()));

    public void Add(LiveEntry entry)
    {
        if (!segmentIndexes.TryGetValue(entry.Segment, out var segment))
        {
            segment = segments.Count;
            segments.Add(entry.Segment);
            segmentIndexes[entry.Segment] = segment;
        }
        _rows[Count] = new PlannedRow(entry.Seq, Count, segment, KeyHash(entry.Key), entry.ContentHash);
        _seqs[Count] = entry.Seq;
        Count++;
    }

    /// <summary>Sorts the rows by seq and cuts them into per-segment runs, in log order.</summary>
    public List<SegmentRun> SortIntoRuns()
    {
        Array.Sort(_seqs, _rows, 0, Count);
        var runs = new List<SegmentRun>();
        var start = 0;
        for (var i = 1; i <= Count; i++)
        {
            if (i == Count || _rows[i].Segment != _rows[start].Segment)
            {
                runs.Add(new SegmentRun(_rows[start].Segment, start, i - start));
                start = i;
            }
        }
        return runs;
    }

    public ReadOnlyMemory<PlannedRow> RowsOf(SegmentRun run) => _rows.AsMemory(run.Start, run.Count);
}
