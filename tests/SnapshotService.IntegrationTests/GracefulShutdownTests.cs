using SnapshotService.Log;
using SnapshotService.Storage;
using SnapshotService.Testing;

namespace SnapshotService.IntegrationTests;

/// <summary>SIGTERM is a clean stop: the source grain commits what capture has read before the process exits.</summary>
public sealed class GracefulShutdownTests
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
        };
        await using var host = HostProcess.Start(settings);
        await host.WaitForSourceAsync("bounded", TimeSpan.FromSeconds(60));
        await Task.Delay(1_000); // the unlimited source is read to its end in far less

        var reader = new ExportLogReader(new FileSystemObjectStore(store.Path), "bounded");
        Assert.Equal(0, (await reader.ReadHeadAsync(default)).LastSeq);

        await host.StopAsync(TimeSpan.FromSeconds(30));

        var head = await reader.ReadHeadAsync(default);
        Assert.Equal(Changes, head.LastSeq);
        Assert.Equal(1, head.CommitNumber);
    }
}
