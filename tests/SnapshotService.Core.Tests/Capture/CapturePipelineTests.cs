using SnapshotService.Capture;
using SnapshotService.Log;
using SnapshotService.Sources;
using SnapshotService.Storage;
using SnapshotService.Testing;

namespace SnapshotService.Core.Tests.Capture;

public sealed class CapturePipelineTests
{
    private static readonly CaptureOptions Options = new()
    {
        ReadBatchSize = 100,
        MaxCommitChanges = 500,
        MaxCommitDelay = TimeSpan.FromMilliseconds(20),
        ChannelCapacity = 2,
    };

    [Fact]
    public async Task stop_commits_everything_read_and_restart_resumes_without_gap_or_duplicate()
    {
        using var dir = new TempDirectory();
        var store = new FileSystemObjectStore(dir.Path);
        var source = new CountingSource(limit: 5_000);

        for (var run = 0; run < 3; run++)
        {
            var log = await ExportLog.OpenAsync(store, "cap", new ExportLogOptions(), default);
            await using var pipeline = new CapturePipeline(source, log, Options);
            pipeline.Start();
            await WaitUntilAsync(() => pipeline.Head.LastSeq >= (run + 1) * 1_000 || pipeline.Head.LastSeq == 5_000);
            await pipeline.StopAsync(default);
            await pipeline.Completion;
        }

        var reader = new ExportLogReader(store, "cap");
        var head = await reader.ReadHeadAsync(default);
        long expected = 0;
        await foreach (var record in reader.ReadRecordsAsync(1, head.LastSeq, default))
        {
            expected++;
            Assert.Equal(expected, record.Seq);
            Assert.Equal(source.ChangeAt(expected).Key, record.Key);
            Assert.Equal(expected, record.SourceVersion);
        }
        Assert.Equal(head.LastSeq, expected);
        Assert.Equal(new SourcePosition(head.LastSeq.ToString(System.Globalization.CultureInfo.InvariantCulture)), head.Position);
    }

    [Fact]
    public async Task a_slow_store_makes_the_reader_wait_instead_of_buffering()
    {
        using var dir = new TempDirectory();
        var store = new GatedStore(new FileSystemObjectStore(dir.Path));
        var source = new CountingSource();
        var log = await ExportLog.OpenAsync(store, "slow", new ExportLogOptions(), default);
        store.Close();
        await using var pipeline = new CapturePipeline(source, log, Options);
        pipeline.Start();

        // First the reader must have filled the channel (on a busy machine that takes a while) ...
        await WaitUntilAsync(() => pipeline.ChannelDepth >= Options.ChannelCapacity);
        // ... then a reader that did not wait would keep reading: give it the time to show (an
        // observation window for something that must not happen, not a wait for a condition).
        await Task.Delay(500);
        // One batch in the committer's hands (bounded by MaxCommitChanges), ChannelCapacity in the
        // channel, one blocked in WriteAsync: the source is not asked for more.
        var bound = (Options.MaxCommitChanges / Options.ReadBatchSize) + Options.ChannelCapacity + 2;
        Assert.InRange(source.Reads, 1, bound);

        store.Release();
        await WaitUntilAsync(() => pipeline.Head.LastSeq > 2_000);
        await pipeline.StopAsync(default);
    }

    [Fact]
    public async Task flush_returns_once_what_was_read_is_committed()
    {
        using var dir = new TempDirectory();
        var store = new FileSystemObjectStore(dir.Path);
        var source = new CountingSource(limit: 750);
        var log = await ExportLog.OpenAsync(store, "flush", new ExportLogOptions(), default);
        var slowCommits = new CaptureOptions { ReadBatchSize = 50, MaxCommitChanges = 100_000, MaxCommitDelay = TimeSpan.FromMinutes(5), ChannelCapacity = 64 };
        await using var pipeline = new CapturePipeline(source, log, slowCommits);
        pipeline.Start();
        await WaitUntilAsync(() => source.Reads > 16);

        await pipeline.FlushAsync(default);

        Assert.Equal(750, pipeline.Head.LastSeq);
        await pipeline.StopAsync(default);
    }

    [Fact]
    public async Task abandon_stops_without_committing_what_was_read_so_a_surviving_writer_is_not_fenced()
    {
        using var dir = new TempDirectory();
        var store = new FileSystemObjectStore(dir.Path);
        var source = new CountingSource();
        var log = await ExportLog.OpenAsync(store, "abandon", new ExportLogOptions { WriterId = "loser" }, default);
        var slowCommits = new CaptureOptions { ReadBatchSize = 50, MaxCommitChanges = 100_000, MaxCommitDelay = TimeSpan.FromMinutes(5), ChannelCapacity = 64 };
        var pipeline = new CapturePipeline(source, log, slowCommits);
        pipeline.Start();
        await WaitUntilAsync(() => source.Reads > 16);
        await pipeline.FlushAsync(default);
        var committed = pipeline.Head;
        var readsAtFlush = source.Reads;
        // The survivor opens the log now, at the committed head; the loser reads on.
        var survivor = await ExportLog.OpenAsync(store, "abandon", new ExportLogOptions { WriterId = "survivor" }, default);
        await WaitUntilAsync(() => source.Reads > readsAtFlush + 16);

        await pipeline.AbandonAsync();

        Assert.True(pipeline.Completion.IsCompleted);
        Assert.Equal(committed, pipeline.Head);
        Assert.Equal(committed.CommitNumber, (await new ExportLogReader(store, "abandon").ReadHeadAsync(default)).CommitNumber);
        // What the loser read but dropped is the survivor's to commit, from the committed position.
        var next = await survivor.AppendAsync([source.ChangeAt(committed.LastSeq + 1)], new SourcePosition((committed.LastSeq + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)), default);
        Assert.Equal(committed.CommitNumber + 1, next!.Number);
        await pipeline.DisposeAsync();
    }

    [Fact]
    public async Task a_fenced_log_stops_the_pipeline_with_the_fencing_error()
    {
        using var dir = new TempDirectory();
        var store = new FileSystemObjectStore(dir.Path);
        var log = await ExportLog.OpenAsync(store, "fence", new ExportLogOptions { WriterId = "first" }, default);
        var other = await ExportLog.OpenAsync(store, "fence", new ExportLogOptions { WriterId = "second" }, default);
        await other.AppendAsync([new CountingSource().ChangeAt(1)], new SourcePosition("1"), default);

        await using var pipeline = new CapturePipeline(new CountingSource(), log, Options);
        pipeline.Start();

        var error = await Assert.ThrowsAsync<LogFencedException>(() => pipeline.Completion);
        Assert.Equal("second", error.WinnerWriterId);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Condition not met within 30 s.");
            await Task.Delay(10);
        }
    }
}
