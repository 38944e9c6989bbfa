using System.Text;
using SnapshotService.Grains;
using SnapshotService.Log;
using SnapshotService.Repair;
using SnapshotService.Sources;
using SnapshotService.Storage;

namespace SnapshotService.Core.Tests.Repair;

/// <summary>
/// Invariant 6 on the repair side, case by case: a repair compared at seq S is written only for
/// keys capture has not committed after S at the repair's version or newer; otherwise the repair
/// would overwrite a newer captured version.
/// </summary>
public sealed class RepairCommitterTests
{
    private const string SourceId = "committer";
    private static readonly DateTimeOffset Time = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly InMemoryObjectStore _store = new();
    private long _position;

    private static SourceChange Captured(string key, long version) =>
        new(key, null, ChangeOperation.Upsert, version, Time, Encoding.UTF8.GetBytes($$"""{"captured":{{version}}}"""));

    private static RepairItem Repair(string key, long version) => new(key, null, ChangeOperation.Upsert, version, Encoding.UTF8.GetBytes($$"""{"repaired":{{version}}}"""));

    private async Task<ExportLog> LogAsync() => await ExportLog.OpenAsync(_store, SourceId, new ExportLogOptions(), default);

    /// <summary>One capture commit, as the capture loop makes it; returns its last seq.</summary>
    private async Task<long> CaptureAsync(ExportLog log, params SourceChange[] changes)
    {
        var commit = await log.AppendAsync(changes, new SourcePosition($"offset:{++_position}"), default);
        return commit!.LastSeq;
    }

    /// <summary>The log as "origin key@version" lines in seq order.</summary>
    private async Task<string> RecordsAsync(ExportLog log)
    {
        var lines = new List<string>();
        await foreach (var record in new ExportLogReader(_store, SourceId).ReadRecordsAsync(1, log.Head.LastSeq, default))
        {
            lines.Add($"{record.Origin} {record.Key}@{record.SourceVersion}");
        }
        return string.Join(", ", lines);
    }

    [Fact]
    public async Task a_repair_is_skipped_when_capture_committed_a_newer_version_after_the_compared_seq()
    {
        var log = await LogAsync();
        var compared = await CaptureAsync(log, Captured("a", 5));
        await CaptureAsync(log, Captured("a", 12));

        var outcome = await new RepairCommitter(log, RepairGuard.Empty()).CommitAsync(new RepairCommand(compared, [Repair("a", 10)]), default);

        Assert.Equal((0, 1, "a"), (outcome.Written, outcome.SkippedNewer, string.Join(",", outcome.SkippedKeys)));
        Assert.Equal("Capture a@5, Capture a@12", await RecordsAsync(log));
    }

    [Fact]
    public async Task a_repair_is_skipped_when_capture_committed_the_same_version_after_the_compared_seq()
    {
        var log = await LogAsync();
        var compared = await CaptureAsync(log, Captured("a", 5));
        await CaptureAsync(log, Captured("a", 10));

        var outcome = await new RepairCommitter(log, RepairGuard.Empty()).CommitAsync(new RepairCommand(compared, [Repair("a", 10)]), default);

        Assert.Equal((0, 1), (outcome.Written, outcome.SkippedNewer));
        Assert.Equal("Capture a@5, Capture a@10", await RecordsAsync(log));
    }

    [Fact]
    public async Task a_repair_is_written_when_capture_committed_only_older_versions_after_the_compared_seq()
    {
        var log = await LogAsync();
        var compared = await CaptureAsync(log, Captured("a", 5));
        await CaptureAsync(log, Captured("a", 7), Captured("b", 40));

        var outcome = await new RepairCommitter(log, RepairGuard.Empty()).CommitAsync(new RepairCommand(compared, [Repair("a", 10), Repair("b", 30)]), default);

        // b was captured at 40 after the comparison: its repair at 30 loses; a's at 10 is newer than a@7 and wins.
        Assert.Equal((1, "b"), (outcome.Written, string.Join(",", outcome.SkippedKeys)));
        Assert.Equal("Capture a@5, Capture a@7, Capture b@40, Repair a@10", await RecordsAsync(log));
    }

    [Fact]
    public async Task a_later_batch_of_the_same_run_sees_what_capture_committed_since_the_previous_batch()
    {
        var log = await LogAsync();
        var compared = await CaptureAsync(log, Captured("a", 5), Captured("b", 5));
        var committer = new RepairCommitter(log, RepairGuard.Empty());
        Assert.Equal(1, (await committer.CommitAsync(new RepairCommand(compared, [Repair("b", 8)]), default)).Written);

        await CaptureAsync(log, Captured("a", 12));
        var second = await committer.CommitAsync(new RepairCommand(compared, [Repair("a", 10)]), default);

        Assert.Equal((0, 1), (second.Written, second.SkippedNewer));
        Assert.Equal("Capture a@5, Capture b@5, Repair b@8, Capture a@12", await RecordsAsync(log));
    }

    [Fact]
    public async Task a_written_repair_is_guarded_before_it_is_committed_so_late_capture_of_older_versions_is_dropped()
    {
        var log = await LogAsync();
        var compared = await CaptureAsync(log, Captured("a", 5));
        var committer = new RepairCommitter(log, RepairGuard.Empty());

        await committer.CommitAsync(new RepairCommand(compared, [Repair("a", 10)]), default);

        Assert.Empty(committer.Guard.Filter([Captured("a", 7)]));
        // Saved too, so a restarted capture loop drops them as well.
        Assert.Empty((await RepairGuard.LoadAsync(_store, SourceId, default)).Filter([Captured("a", 9)]));
    }
}
