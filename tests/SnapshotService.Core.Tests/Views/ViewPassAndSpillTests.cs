using SnapshotService.Log;
using SnapshotService.Storage;
using SnapshotService.Testing;
using SnapshotService.Views;

namespace SnapshotService.Core.Tests.Views;

public sealed class ViewPassAndSpillTests
{
    [Theory]
    [InlineData(ViewFormat.Jsonl)]
    [InlineData(ViewFormat.Parquet)]
    public async Task several_passes_spilling_and_any_parallelism_write_the_same_parts(ViewFormat format)
    {
        var history = ViewTestSource.History(seed: 17, keySpace: 300, changes: 2500);
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, ViewTestSource.Source, new ExportLogOptions(), default);
        // Small commits and random updates: every part's keys are spread over many segments.
        await ViewTestSource.CaptureAsync(store, log, history, 0, 2500, batch: 40, compactAt: 1800);
        using var spill = new TempDirectory();
        var plain = new ViewOptions { RowsPerPart = 16, MaxParallelism = 1 };
        var squeezed = new ViewOptions { RowsPerPart = 16, MaxKeysPerPass = 40, MemoryBudgetBytes = 1, MaxParallelism = 3, SpillDirectory = spill.Path };

        var reference = await ViewMaterializer.MaterializeAsync(store, ViewTestSource.Source, ViewTestSource.Anchor("plain", 2400), format, plain, null, default);
        var other = await ViewMaterializer.MaterializeAsync(store, ViewTestSource.Source, ViewTestSource.Anchor("squeezed", 2400), format, squeezed, null, default);

        Assert.Equal(reference.ContentChecksum, other.ContentChecksum);
        Assert.Equal(reference.Parts.Select(p => (p.Name, p.Rows, p.Checksum, p.FirstKey, p.LastKey)), other.Parts.Select(p => (p.Name, p.Rows, p.Checksum, p.FirstKey, p.LastKey)));
        Assert.Equal(ViewTestSource.ExpectedAt(history, 2400).Count, other.Rows);
        Assert.Empty(Directory.EnumerateFileSystemEntries(spill.Path));
    }

    [Fact]
    public async Task parts_follow_key_order_with_full_parts_across_passes()
    {
        var history = ViewTestSource.History(seed: 4, keySpace: 120, changes: 900);
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, ViewTestSource.Source, new ExportLogOptions(), default);
        await ViewTestSource.CaptureAsync(store, log, history, 0, 900, batch: 25, compactAt: 600);

        var manifest = await ViewMaterializer.MaterializeAsync(store, ViewTestSource.Source, ViewTestSource.Anchor("passes", 900), ViewFormat.Jsonl,
            new ViewOptions { RowsPerPart = 7, MaxKeysPerPass = 30, MemoryBudgetBytes = 1 }, null, default);

        var expected = ViewTestSource.ExpectedAt(history, 900);
        Assert.Equal(expected.Keys, (await ViewTestSource.ReadJsonlAsync(store, manifest)).Select(r => r.Key));
        Assert.All(manifest.Parts.SkipLast(1), p => Assert.Equal(7, p.Rows));
        Assert.Equal(manifest.Parts.Select((_, i) => StoreKeys.ViewPartName(i, ".jsonl.zst")), manifest.Parts.Select(p => p.Name));
        for (var i = 1; i < manifest.Parts.Count; i++)
        {
            Assert.True(string.CompareOrdinal(manifest.Parts[i - 1].LastKey, manifest.Parts[i].FirstKey) < 0);
        }
    }
}
