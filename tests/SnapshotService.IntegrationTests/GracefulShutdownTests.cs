using System.Text.RegularExpressions;
using SnapshotService.Log;
using SnapshotService.Storage;
using SnapshotService.Testing;

namespace SnapshotService.IntegrationTests;

/// <summary>SIGTERM is a clean stop: the source grain commits what capture has read before the process exits.</summary>
public sealed partial class GracefulShutdownTests
{
    [Fact]
    public async Task sigterm_commits_what_was_read_before_the_process_exits()
    {
        using var store = new TempDirectory("graceful");
        const int Changes = 3_000;
        var settings = new Dictionary<string, string>
        {
            ["SnapshotService:Export:Root"] = store.Path,
            ["SnapshotService:Sources:bounded:Kind"] = "simulated",
            ["SnapshotService:Sources:bounded:Simulated:ChangesPerSecond"] = "0",
            ["SnapshotService:Sources:bounded:Simulated:MaxChanges"] = Changes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Nothing would be committed by size or time while the host runs: only the stop commits.
            ["SnapshotService:Capture:MaxCommitChanges"] = "1000000",
            ["SnapshotService:Capture:MaxCommitDelay"] = "00:05:00",
            // One read takes the whole (unthrottled) history; every later read finds the end.
            ["SnapshotService:Capture:ReadBatchSize"] = Changes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        await using var host = HostProcess.Start(settings);
        await host.WaitForSourceAsync("bounded", TimeSpan.FromSeconds(60));
        // Nothing is committed yet, so GetSource cannot show how far capture has read; the read
        // stage's count can: once a second read has finished, the first one's batch (everything)
        // was handed to the committer.
        await Eventually.TrueAsync(async () => await ReadsFinishedAsync(host) >= 2, "capture reads the whole history (two reads finished)");

        var reader = new ExportLogReader(new FileSystemObjectStore(store.Path), "bounded");
        Assert.Equal(0, (await reader.ReadHeadAsync(default)).LastSeq);

        await host.StopAsync(TimeSpan.FromSeconds(30));

        var head = await reader.ReadHeadAsync(default);
        Assert.Equal(Changes, head.LastSeq);
        Assert.Equal(1, head.CommitNumber);
    }

    /// <summary>Capture reads of source "bounded" finished so far, from the Prometheus endpoint (0 before the first).</summary>
    private static async Task<long> ReadsFinishedAsync(HostProcess host)
    {
        var text = await host.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var reads = ReadStageCount().Match(text);
        return reads.Success ? long.Parse(reads.Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex("""^snapshotservice_capture_stage_duration_seconds_count\{(?=[^}]*snapshotservice_source="bounded")(?=[^}]*snapshotservice_stage="read")[^}]*\} (?<count>\d+)""", RegexOptions.Multiline)]
    private static partial Regex ReadStageCount();
}
