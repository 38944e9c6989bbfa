using System.Text;
using SnapshotService.Capture;
using SnapshotService.Core.Tests.Capture;
using SnapshotService.DeadLetters;
using SnapshotService.Log;
using SnapshotService.Storage;
using SnapshotService.Testing;

namespace SnapshotService.Core.Tests.DeadLetters;

public sealed class PoisonCaptureTests
{
    [Fact]
    public async Task capture_moves_past_poison_documents_and_every_change_is_either_exported_or_dead_lettered()
    {
        using var dir = new TempDirectory();
        var store = new FileSystemObjectStore(dir.Path);
        // Every 97th change is not JSON, every 89th is too large; the rest are fine.
        var source = new CountingSource(keys: 1_000_000, limit: 3_000, document: n =>
            n % 97 == 0 ? Encoding.UTF8.GetBytes("{\"n\":" + n)
            : n % 89 == 0 ? Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('x', 2_000) + "\"}")
            : Encoding.UTF8.GetBytes("{\"n\":" + n + "}"));
        var log = await ExportLog.OpenAsync(store, "poison", new ExportLogOptions(), default);
        var options = new CaptureOptions { ReadBatchSize = 100, MaxCommitChanges = 250, MaxCommitDelay = TimeSpan.FromMilliseconds(10), MaxDocumentBytes = 1_024 };
        await using var pipeline = new CapturePipeline(source, log, options);
        pipeline.Start();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (pipeline.Head.Position.Token != "3000" && DateTime.UtcNow < deadline && !pipeline.Completion.IsCompleted)
        {
            await Task.Delay(20);
        }
        await pipeline.StopAsync(default);
        await pipeline.Completion;

        var poison = Enumerable.Range(1, 3_000).Where(n => n % 97 == 0 || n % 89 == 0).Select(n => (long)n).ToHashSet();
        var exported = new List<long>();
        var reader = new ExportLogReader(store, "poison");
        var head = await reader.ReadHeadAsync(default);
        await foreach (var record in reader.ReadRecordsAsync(1, head.LastSeq, default))
        {
            exported.Add(record.SourceVersion);
        }
        var letters = new List<DeadLetter>();
        await foreach (var letter in new DeadLetterStore(store, "poison").ListAsync(null, default))
        {
            letters.Add(letter);
        }

        Assert.Equal("3000", head.Position.Token);
        Assert.Equal(Enumerable.Range(1, 3_000).Select(n => (long)n).Where(n => !poison.Contains(n)), exported);
        Assert.Equal(poison.Order(), letters.Select(l => l.SourceVersion).Order());
        Assert.All(letters, l => Assert.Equal(l.SourceVersion % 97 == 0 ? DeadLetterReason.Unparsable : DeadLetterReason.TooLarge, l.Reason));
    }
}
