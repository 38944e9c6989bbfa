using System.Globalization;
using System.Text;
using SnapshotService.Log;
using SnapshotService.Sources;
using SnapshotService.State;
using SnapshotService.Storage;

namespace SnapshotService.Core.Tests.State;

/// <summary>One change of a test history: key number, delete or upsert, and a value that makes the document (and so its hash) differ.</summary>
public readonly record struct TestOp(int KeyNumber, bool Delete, int Value);

/// <summary>Builds export logs from test histories and replays them naively as the oracle.</summary>
public static class StateTestLog
{
    public const string Source = "state";

    public static string KeyOf(int keyNumber) => string.Create(CultureInfo.InvariantCulture, $"k{keyNumber:D3}");

    public static SourceChange ChangeOf(TestOp op, long version)
    {
        var key = KeyOf(op.KeyNumber);
        var time = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(version);
        if (op.Delete)
        {
            return new SourceChange(key, null, ChangeOperation.Delete, version, time, ReadOnlyMemory<byte>.Empty);
        }
        var json = string.Create(CultureInfo.InvariantCulture, $$"""{"_id":"{{key}}","v":{{op.Value}}}""");
        return new SourceChange(key, "p" + (op.KeyNumber % 3).ToString(CultureInfo.InvariantCulture), ChangeOperation.Upsert, version, time,
            Encoding.UTF8.GetBytes(json), op.Value % 5 == 0 ? ChangeOrigin.Repair : ChangeOrigin.Capture);
    }

    /// <summary>Appends one commit per batch (empty batches are skipped); after each commit whose flag is set, compacts.</summary>
    public static async Task AppendAsync(ExportLog log, IReadOnlyList<TestOp> ops, long firstVersion)
    {
        var changes = new List<SourceChange>(ops.Count);
        for (var i = 0; i < ops.Count; i++)
        {
            changes.Add(ChangeOf(ops[i], firstVersion + i));
        }
        await log.AppendAsync(changes, new SourcePosition(string.Create(CultureInfo.InvariantCulture, $"offset:{firstVersion + ops.Count - 1}")), default);
    }

    /// <summary>Every record of the log with the segment that holds it, read without any State code.</summary>
    public static async Task<List<(LogRecord Record, string Segment)>> ReadAllAsync(IObjectStore store)
    {
        var reader = new ExportLogReader(store, Source);
        var all = new List<(LogRecord, string)>();
        for (long n = 1; ; n++)
        {
            var commit = await reader.ReadCommitAsync(n, default);
            if (commit is null)
            {
                return all;
            }
            foreach (var segment in commit.Segments)
            {
                var data = await reader.ReadSegmentAsync(commit, segment, default);
                foreach (var record in SegmentCodec.ParseLines(segment.Name, data))
                {
                    all.Add((record with { Document = ReadOnlyMemory<byte>.Empty }, segment.Name));
                }
            }
        }
    }

    /// <summary>The naive state after records 1..seq, sorted by key (ordinal).</summary>
    public static List<LiveEntry> NaiveStateAt(List<(LogRecord Record, string Segment)> records, long seq)
    {
        var state = new Dictionary<string, LiveEntry>(StringComparer.Ordinal);
        foreach (var (r, segment) in records)
        {
            if (r.Seq > seq)
            {
                break;
            }
            if (r.Operation == ChangeOperation.Delete)
            {
                state.Remove(r.Key);
            }
            else
            {
                state[r.Key] = new LiveEntry(r.Key, r.PartitionKey, r.Seq, r.SourceVersion, RangeDigest.ParseHash(r.ContentHash!), r.Origin, segment);
            }
        }
        return [.. state.Values.OrderBy(e => e.Key, StringComparer.Ordinal)];
    }

    public static RangeDigest DigestOf(IEnumerable<LiveEntry> entries)
    {
        var digest = RangeDigest.Empty;
        foreach (var e in entries)
        {
            digest = digest.Add(e.Key, e.ContentHash);
        }
        return digest;
    }

    public static async Task<List<LiveEntry>> ToListAsync(IAsyncEnumerable<LiveEntry> entries)
    {
        var list = new List<LiveEntry>();
        await foreach (var e in entries)
        {
            list.Add(e);
        }
        return list;
    }

    /// <summary>Ops that insert key numbers first..last (one upsert each).</summary>
    public static List<TestOp> Inserts(int first, int last, int value = 1) =>
        [.. Enumerable.Range(first, last - first + 1).Select(k => new TestOp(k, false, value))];
}
