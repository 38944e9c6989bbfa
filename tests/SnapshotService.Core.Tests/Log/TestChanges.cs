using System.Text;
using SnapshotService.Sources;

namespace SnapshotService.Core.Tests.Log;

/// <summary>Deterministic changes for log tests: change i (1-based, global) is a pure function of i.</summary>
public static class TestChanges
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static SourceChange Change(long i)
    {
        var key = $"k{i % 97:D3}";
        var time = Epoch.AddMilliseconds(i * 10);
        if (i % 11 == 0)
        {
            return new SourceChange(key, null, ChangeOperation.Delete, i, time, ReadOnlyMemory<byte>.Empty);
        }
        var json = $$$"""{"_id":"{{{key}}}","n":{{{i}}},"name":"doc \u00e9 {{{i}}}","tags":["a","b"],"nested":{"z":1,"a":[1.5,true,null]}}""";
        return new SourceChange(key, i % 3 == 0 ? "pk" + (i % 5) : null, ChangeOperation.Upsert, i, time, Encoding.UTF8.GetBytes(json), i % 13 == 0 ? ChangeOrigin.Repair : ChangeOrigin.Capture);
    }

    /// <summary>Changes first..first+count-1.</summary>
    public static IReadOnlyList<SourceChange> Range(long first, int count)
    {
        var list = new List<SourceChange>(count);
        for (var i = 0; i < count; i++)
        {
            list.Add(Change(first + i));
        }
        return list;
    }

    /// <summary>The position after change i, as the simulated source would spell it.</summary>
    public static SourcePosition PositionAfter(long i) => i == 0 ? SourcePosition.Start : new SourcePosition($"offset:{i}");

    /// <summary>Parses a position made by <see cref="PositionAfter"/>.</summary>
    public static long OffsetOf(SourcePosition position) => position.IsStart ? 0 : long.Parse(position.Token["offset:".Length..], System.Globalization.CultureInfo.InvariantCulture);
}
