using SnapshotService.Grains;
using SnapshotService.Log;
using SnapshotService.Storage;

namespace SnapshotService.Core.Tests.Log;

public sealed class LogVerifierTests
{
    private const string Source = "verify";

    private static async Task<InMemoryObjectStore> WriteLogAsync(int commits = 5, int perCommit = 4)
    {
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, Source, new ExportLogOptions { CheckpointEveryCommits = 2 }, default);
        for (var i = 0; i < commits; i++)
        {
            await log.AppendAsync(TestChanges.Range((i * perCommit) + 1, perCommit), TestChanges.PositionAfter((i + 1) * perCommit), default);
        }
        return store;
    }

    [Fact]
    public async Task a_healthy_log_verifies_ok_with_counts()
    {
        var store = await WriteLogAsync();
        var report = await LogVerifier.VerifyAsync(store, Source, default);
        Assert.True(report.Ok);
        Assert.Equal((5L, 1L, 20L, 20L), (report.Commits, report.FirstSeq, report.LastSeq, report.Records));
        Assert.Empty(report.OrphanFiles);
    }

    [Fact]
    public async Task a_segment_past_the_head_is_in_flight_not_orphan_until_a_commit_covers_its_seqs()
    {
        var store = await WriteLogAsync(); // seqs 1..20
        var inFlight = StoreKeys.Segment(Source, 21, "inflight");
        await store.PutIfAbsentAsync(inFlight, new byte[] { 1, 2, 3 }, default);
        Assert.Empty((await LogVerifier.VerifyAsync(store, Source, default)).OrphanFiles);

        // Another writer commits seqs 21.. under its own segment name: the first one is now an orphan.
        var log = await ExportLog.OpenAsync(store, Source, new ExportLogOptions(), default);
        await log.AppendAsync(TestChanges.Range(21, 4), TestChanges.PositionAfter(24), default);
        Assert.Equal([inFlight], (await LogVerifier.VerifyAsync(store, Source, default)).OrphanFiles);
    }

    [Fact]
    public async Task an_empty_log_verifies_ok()
    {
        var report = await LogVerifier.VerifyAsync(new InMemoryObjectStore(), Source, default);
        Assert.True(report.Ok);
        Assert.Equal((0L, 0L, 0L), (report.Commits, report.LastSeq, report.Records));
    }

    [Fact]
    public async Task a_flipped_byte_in_a_segment_is_a_checksum_failure_naming_the_segment()
    {
        var store = await WriteLogAsync();
        var commit = (await new ExportLogReader(store, Source).ReadCommitAsync(3, default))!;
        var key = StoreKeys.InSource(Source, commit.Segments[0].Name);
        var bytes = (await store.ReadAsync(key, default))!;
        bytes[bytes.Length / 2] ^= 0x01;
        await store.PutAsync(key, bytes, default);

        var report = await LogVerifier.VerifyAsync(store, Source, default);
        Assert.False(report.Ok);
        Assert.Equal([commit.Segments[0].Name], report.ChecksumFailures);
        Assert.Empty(report.Gaps);

        var e = await Assert.ThrowsAsync<SegmentChecksumException>(async () => await new ExportLogReader(store, Source).ReadRecordsAsync(1, 20, default).ToListAsync());
        Assert.Contains(commit.Segments[0].Name, e.Message);
    }

    [Fact]
    public async Task a_commit_deleted_in_the_middle_is_a_problem_and_its_seqs_a_gap()
    {
        var store = await WriteLogAsync();
        await store.DeleteAsync(StoreKeys.Commit(Source, 3), default);
        var report = await LogVerifier.VerifyAsync(store, Source, default);
        Assert.False(report.Ok);
        Assert.Contains(report.Problems, p => p.Contains("Commit 3 is missing", StringComparison.Ordinal));
        Assert.Equal([new SeqGap(9, 12)], report.Gaps);
        Assert.Single(report.OrphanFiles); // commit 3's segment is no longer named by any commit
    }

    [Fact]
    public async Task an_unreadable_commit_and_a_missing_segment_are_problems()
    {
        var store = await WriteLogAsync();
        await store.PutAsync(StoreKeys.Commit(Source, 2), "{\"format\":1"u8.ToArray(), default);
        var commit4 = (await new ExportLogReader(store, Source).ReadCommitAsync(4, default))!;
        await store.DeleteAsync(StoreKeys.InSource(Source, commit4.Segments[0].Name), default);
        var report = await LogVerifier.VerifyAsync(store, Source, default);
        Assert.Contains(report.Problems, p => p.Contains("Commit 2 is unreadable", StringComparison.Ordinal) && p.Contains(StoreKeys.Commit(Source, 2), StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Contains(commit4.Segments[0].Name, StringComparison.Ordinal) && p.Contains("missing", StringComparison.Ordinal));
        Assert.False(report.Ok);
    }

    [Fact]
    public async Task duplicated_and_out_of_range_records_are_reported()
    {
        // Hand-craft commit 2 so that it re-declares seqs 3..4 that commit 1 already holds.
        var store = await WriteLogAsync(commits: 1, perCommit: 4);
        var other = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(other, Source, new ExportLogOptions(), default);
        await log.AppendAsync(TestChanges.Range(1, 2), TestChanges.PositionAfter(2), default);
        await log.AppendAsync(TestChanges.Range(3, 2), TestChanges.PositionAfter(4), default);
        var foreign = (await new ExportLogReader(other, Source).ReadCommitAsync(2, default))!;
        var segmentKey = StoreKeys.InSource(Source, foreign.Segments[0].Name);
        await store.PutIfAbsentAsync(segmentKey, (await other.ReadAsync(segmentKey, default))!, default);
        await store.PutIfAbsentAsync(StoreKeys.Commit(Source, 2), (await other.ReadAsync(StoreKeys.Commit(Source, 2), default))!, default);

        var report = await LogVerifier.VerifyAsync(store, Source, default);
        Assert.False(report.Ok);
        Assert.Equal([3L, 4L], report.DuplicateSeqs);
        Assert.Contains(report.Problems, p => p.Contains("contiguous", StringComparison.Ordinal));
    }
}
