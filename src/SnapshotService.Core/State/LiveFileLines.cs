using SnapshotService.Log;

namespace SnapshotService.State;

/// <summary>Finds wanted lines in a decompressed segment or pack by seq (lines are in ascending seq order in both).</summary>
internal static class LiveFileLines
{
    /// <summary>
    /// Yields, in order, each wanted seq's line: (index among the wanted, line number, line). The
    /// wanted seqs must ascend. Stops early at the first wanted seq the file does not hold, so a
    /// caller that received fewer than <paramref name="count"/> lines knows which one is missing.
    /// </summary>
    public static IEnumerable<(int Index, int LineNumber, ReadOnlyMemory<byte> Line)> Find(string fileName, byte[] data, Func<int, long> wantedSeq, int count)
    {
        var next = 0;
        foreach (var line in JsonLines.Split(data))
        {
            if (next == count)
            {
                yield break;
            }
            var memory = data.AsMemory(line.Offset, line.Length);
            var seq = RecordHeaderFields.SeqOf(fileName, line.Number, memory);
            var wanted = wantedSeq(next);
            if (seq > wanted)
            {
                yield break; // the wanted seq was skipped: the caller reports it
            }
            if (seq == wanted)
            {
                yield return (next, line.Number, memory);
                next++;
            }
        }
    }
}
