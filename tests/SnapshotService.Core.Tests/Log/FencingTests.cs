using SnapshotService.Log;
using SnapshotService.Storage;
using SnapshotService.Testing;

namespace SnapshotService.Core.Tests.Log;

public sealed class FencingTests
{
    private const string Source = "fenced";

    [Fact]
    public async Task the_second_writer_of_a_commit_number_is_fenced_and_names_the_winner()
    {
        var store = new InMemoryObjectStore();
        var a = await ExportLog.OpenAsync(store, Source, new ExportLogOptions { WriterId = "writer-a" }, default);
        var b = await ExportLog.OpenAsync(store, Source, new ExportLogOptions { WriterId = "writer-b" }, default);
        await a.AppendAsync(TestChanges.Range(1, 3), TestChanges.PositionAfter(3), default);
        var e = await Assert.ThrowsAsync<LogFencedException>(() => b.AppendAsync(TestChanges.Range(1, 3), TestChanges.PositionAfter(3), default));
        Assert.Equal("writer-a", e.WinnerWriterId);
        Assert.Equal(1, e.CommitNumber);
        Assert.Contains("writer-a", e.Message);
        Assert.True(b.IsFenced);
        // The loser stays stopped, even for a position-only commit.
        await Assert.ThrowsAsync<LogFencedException>(() => b.AppendAsync([], new("elsewhere"), default));
        // The winner continues.
        await a.AppendAsync(TestChanges.Range(4, 3), TestChanges.PositionAfter(6), default);
        var report = await LogVerifier.VerifyAsync(store, Source, default);
        Assert.True(report.Ok);
        Assert.Equal(6, report.LastSeq);
        Assert.Single(report.OrphanFiles); // b's segment, never committed
    }

    [Fact]
    public async Task two_writers_racing_concurrently_on_the_file_system_commit_every_number_once()
    {
        using var dir = new TempDirectory("fence");
        var store = new FileSystemObjectStore(dir.Path, durable: false);
        var writers = new[]
        {
            await ExportLog.OpenAsync(store, Source, new ExportLogOptions { WriterId = "writer-a" }, default),
            await ExportLog.OpenAsync(store, Source, new ExportLogOptions { WriterId = "writer-b" }, default),
        };
        var start = new TaskCompletionSource();
        var running = writers.Select(w => Task.Run(async () =>
        {
            await start.Task;
            var commits = new List<CommitRecord>();
            try
            {
                for (var i = 0; i < 200; i++)
                {
                    var next = w.Head.LastSeq + 1;
                    commits.Add((await w.AppendAsync(TestChanges.Range(next, 2), TestChanges.PositionAfter(next + 1), default))!);
                }
                return (commits, (LogFencedException?)null);
            }
            catch (LogFencedException e)
            {
                return (commits, e);
            }
        })).ToList();
        start.SetResult();
        var all = await Task.WhenAll(running);
        // Both started from an empty log, so at most one can have committed number 1 — and the
        // other one is fenced the first time it tries a number the winner owns.
        var fenced = all.Where(o => o.Item2 is not null).ToList();
        Assert.Single(fenced);
        var loser = fenced[0].Item2!;
        var winner = all.Single(o => o.Item2 is null);
        Assert.Equal(winner.commits[0].WriterId, loser.WinnerWriterId);
        Assert.Equal(200, winner.commits.Count);

        var reader = new ExportLogReader(store, Source);
        var head = await reader.ReadHeadAsync(default);
        var writersByNumber = new List<string>();
        for (long n = 1; n <= head.CommitNumber; n++)
        {
            writersByNumber.Add((await reader.ReadCommitAsync(n, default))!.WriterId);
        }
        // Every commit number exists exactly once (a file name) and the seqs are gap-free.
        var report = await LogVerifier.VerifyAsync(store, Source, default);
        Assert.True(report.Ok, string.Join("; ", report.Problems));
        Assert.Equal(head.CommitNumber, report.Commits);
        Assert.Equal(head.CommitNumber * 2, report.LastSeq);
        Assert.Equal(head.CommitNumber, fenced[0].commits.Count + winner.commits.Count);
    }
}
