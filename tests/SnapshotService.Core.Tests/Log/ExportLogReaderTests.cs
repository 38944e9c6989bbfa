using SnapshotService.Core.Tests.Storage;
using SnapshotService.Log;
using SnapshotService.Sources;
using SnapshotService.Storage;

namespace SnapshotService.Core.Tests.Log;

public sealed class ExportLogReaderTests
{
    private const string Source = "reader";

    /// <summary>Commit c (1-based) holds c changes; every third commit is followed by a position-only commit.</summary>
    private static async Task<(InMemoryObjectStore Store, LogHead Head, List<CommitRecord> Commits)> WriteLogAsync()
    {
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, Source, new ExportLogOptions { CheckpointEveryCommits = 7 }, default);
        var commits = new List<CommitRecord>();
        long offset = 0;
        for (var c = 1; c <= 30; c++)
        {
            commits.Add((await log.AppendAsync(TestChanges.Range(offset + 1, c), TestChanges.PositionAfter(offset + c), default))!);
            offset += c;
            if (c % 3 == 0)
            {
                commits.Add((await log.AppendAsync([], new SourcePosition($"idle-{c}"), default))!);
            }
        }
        return (store, log.Head, commits);
    }

    [Fact]
    public async Task the_head_read_by_a_reader_equals_the_writers()
    {
        var (store, head, _) = await WriteLogAsync();
        Assert.Equal(head, await new ExportLogReader(store, Source).ReadHeadAsync(default));
    }

    [Fact]
    public async Task find_commit_containing_seq_returns_the_records_commit_never_a_position_only_one()
    {
        var (store, head, commits) = await WriteLogAsync();
        var reader = new ExportLogReader(store, Source);
        for (long seq = 1; seq <= head.LastSeq; seq += 7)
        {
            var expected = commits.Single(c => c.RecordCount > 0 && c.FirstSeq <= seq && seq <= c.LastSeq);
            Assert.Equal(expected.Number, (await reader.FindCommitContainingSeqAsync(seq, head, default))?.Number);
        }
        Assert.Null(await reader.FindCommitContainingSeqAsync(0, head, default));
        Assert.Null(await reader.FindCommitContainingSeqAsync(head.LastSeq + 1, head, default));
    }

    [Fact]
    public async Task find_last_commit_at_or_before_a_time_uses_the_watermark()
    {
        var (store, head, commits) = await WriteLogAsync();
        var reader = new ExportLogReader(store, Source);
        foreach (var probe in new[] { 10L, 15, 455, 4640, 4650, 99_999 })
        {
            var time = TestChanges.Epoch.AddMilliseconds(probe);
            var expected = commits.LastOrDefault(c => c.LastSourceTime is { } t && t <= time);
            var found = await reader.FindLastCommitAtOrBeforeAsync(time, head, default);
            Assert.Equal(expected?.Number, found?.Number);
        }
        Assert.Null(await reader.FindLastCommitAtOrBeforeAsync(TestChanges.Epoch, head, default));
    }

    [Fact]
    public async Task reading_a_seq_range_touches_logarithmically_many_commits_before_the_first_segment()
    {
        var (inner, _, _) = await WriteLogAsync();
        var counting = new CountingObjectStore(inner);
        var records = await new ExportLogReader(counting, Source).ReadRecordsAsync(400, 402, default).ToListAsync();
        Assert.Equal([400L, 401, 402], records.Select(r => r.Seq));
        // 40 commits: galloping for an upper bound plus a binary search, each O(log n) — not a walk of all 40.
        Assert.InRange(counting.Reads.Count(k => k.Contains("/log/", StringComparison.Ordinal)), 1, (3 * (int)Math.Ceiling(Math.Log2(40))) + 3);
        Assert.Equal(1, counting.Reads.Count(k => k.Contains("/segments/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task writer_ids_default_to_machine_pid_and_a_random_suffix_and_are_sanitized()
    {
        var log = await ExportLog.OpenAsync(new InMemoryObjectStore(), Source, new ExportLogOptions(), default);
        Assert.Matches($"^[a-z0-9._-]+-{Environment.ProcessId}-[0-9a-z]{{6}}$", log.WriterId);
        Assert.Equal("silo-a-1-x-y", WriterIds.Sanitize("Silo A/1 x:y"));
    }
}
