using System.Globalization;
using CsCheck;
using SnapshotService.Core.Tests.Storage;
using SnapshotService.Log;
using SnapshotService.Sources;
using SnapshotService.Storage;
using SnapshotService.Testing;

namespace SnapshotService.Core.Tests.Log;

/// <summary>
/// Invariants 1-3 under random histories and random crash points: whatever write the process dies
/// before, reopening and resuming from Head.Position yields the log of a run that never crashed.
/// </summary>
public sealed class CrashRecoveryPropertyTests
{
    private const string Source = "prop";

    private static readonly Gen<(int[] Batches, int[] CrashPoints, int CheckpointEvery)> Histories =
        Gen.Select(Gen.Int[0, 40].Array[1, 14], Gen.Int[0, 45].Array[0, 4], Gen.Int[1, 5]);

    [Fact]
    public Task restart_after_crash_at_any_write_resumes_without_gaps_or_duplicates() =>
        Check.SampleAsync(Histories, async h =>
        {
            var expected = await RunAsync(new InMemoryObjectStore(), h.Batches, [], h.CheckpointEvery);
            var crashed = new InMemoryObjectStore();
            var actual = await RunAsync(crashed, h.Batches, h.CrashPoints, h.CheckpointEvery);
            Assert.Equal(expected.Commits, actual.Commits);
            Assert.Equal(expected.Records, actual.Records);

            var report = await LogVerifier.VerifyAsync(crashed, Source, default);
            Assert.True(report.Ok, string.Join("; ", report.Problems));
            Assert.Equal(expected.Records.Count, report.Records);
            Assert.Equal(expected.Records.Count, report.LastSeq);

            // Garbage collection removes exactly the uncommitted segments and nothing a reader needs.
            var log = await ExportLog.OpenAsync(crashed, Source, new ExportLogOptions(), default);
            var removed = await log.CollectGarbageAsync(TimeSpan.Zero, default);
            Assert.Equal(report.OrphanFiles, removed);
            var after = await LogVerifier.VerifyAsync(crashed, Source, default);
            Assert.True(after.Ok);
            Assert.Empty(after.OrphanFiles);
            Assert.Equal(expected.Records, await ReadRecordsAsync(crashed));
        }, iter: 150, threads: 1);

    [Fact]
    public async Task crash_recovery_works_on_the_file_system_store_too()
    {
        int[] batches = [5, 0, 300, 1, 0, 7, 600, 2];
        foreach (var crashPoints in new[] { new[] { 0 }, [1], [2, 2, 3], [4, 0, 5], [7, 1] })
        {
            using var dir = new TempDirectory("crash");
            var store = new FileSystemObjectStore(dir.Path, durable: false);
            var expected = await RunAsync(new InMemoryObjectStore(), batches, [], 2);
            var actual = await RunAsync(store, batches, crashPoints, 2);
            Assert.Equal(expected.Commits, actual.Commits);
            Assert.Equal(expected.Records, actual.Records);
            Assert.True((await LogVerifier.VerifyAsync(store, Source, default)).Ok);
        }
    }

    /// <summary>
    /// Plays the batches against a source whose change i is <see cref="TestChanges.Change"/>. The
    /// position after batch b is "offset:{o}:batch:{b}", so idle batches still move it (and commit
    /// position-only). Each crash point starts a process that dies before that many writes.
    /// </summary>
    private static async Task<Outcome> RunAsync(IObjectStore store, int[] batches, int[] crashPoints, int checkpointEvery)
    {
        var options = new ExportLogOptions { CheckpointEveryCommits = checkpointEvery };
        foreach (var crashAfter in crashPoints.Append(-1))
        {
            var target = crashAfter < 0 ? store : new CrashingObjectStore(store, crashAfter);
            var log = await ExportLog.OpenAsync(target, Source, options, default);
            var (offset, nextBatch) = Parse(log.Head.Position);
            try
            {
                for (var b = nextBatch; b < batches.Length; b++)
                {
                    var changes = TestChanges.Range(offset + 1, batches[b]);
                    offset += batches[b];
                    await log.AppendAsync(changes, Position(offset, b), default);
                }
                break;
            }
            catch (SimulatedCrashException)
            {
                // The process died; the next iteration is the restarted process.
            }
        }
        var reader = new ExportLogReader(store, Source);
        var head = await reader.ReadHeadAsync(default);
        var commits = new List<(long, long, long, string)>();
        for (long n = 1; n <= head.CommitNumber; n++)
        {
            var c = (await reader.ReadCommitAsync(n, default))!;
            commits.Add((c.Number, c.FirstSeq, c.LastSeq, c.Position.Token));
        }
        return new Outcome(commits, await ReadRecordsAsync(store));
    }

    private static async Task<List<string>> ReadRecordsAsync(IObjectStore store) =>
        await new ExportLogReader(store, Source).ReadRecordsAsync(1, long.MaxValue, default)
            .Select(r => $"{r.Seq}|{r.Operation}|{r.Key}|{r.SourceVersion}|{r.ContentHash}|{r.SourceTime:O}")
            .ToListAsync();

    private static SourcePosition Position(long offset, int batch) => new($"offset:{offset}:batch:{batch}");

    private static (long Offset, int NextBatch) Parse(SourcePosition position)
    {
        if (position.IsStart)
        {
            return (0, 0);
        }
        var parts = position.Token.Split(':');
        return (long.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[3], CultureInfo.InvariantCulture) + 1);
    }

    private sealed record Outcome(List<(long, long, long, string)> Commits, List<string> Records);
}
