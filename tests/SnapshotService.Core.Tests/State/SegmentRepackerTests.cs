using SnapshotService.Core.Tests.Views;
using SnapshotService.Log;
using SnapshotService.State;
using SnapshotService.Storage;
using SnapshotService.Views;

namespace SnapshotService.Core.Tests.State;

public sealed class SegmentRepackerTests
{
    private const string Source = ViewTestSource.Source;

    [Fact]
    public async Task repacking_moves_live_documents_out_of_sparse_segments_and_the_view_stays_byte_identical()
    {
        var history = ViewTestSource.History(seed: 21, keySpace: 150, changes: 4000);
        var plain = await CaptureAsync(history, new LiveStateOptions { MaxKeysPerRange = 32, RepackBelowDensity = 0 });
        var packed = await CaptureAsync(history, ViewTestSource.Repacking(32, belowDensity: 0.5));

        var plainState = await new LiveStateReader(plain, Source).ReadLatestManifestAsync(default);
        var packedState = await new LiveStateReader(packed, Source).ReadLatestManifestAsync(default);
        Assert.Contains(plainState!.Files!, f => f.Density < 0.5);
        Assert.DoesNotContain(packedState!.Files!, f => f.Density < 0.5);
        Assert.Contains(packedState.Files!, f => StoreKeys.IsPackName(f.Name));
        Assert.Equal(plainState.Count, packedState.Files!.Sum(f => f.Live));
        Assert.True(packedState.Files!.Sum(f => f.Lines) < plainState.Files!.Sum(f => f.Lines) / 2,
            $"lines a view reads: {packedState.Files!.Sum(f => f.Lines)} re-packed vs {plainState.Files!.Sum(f => f.Lines)}");

        var anchor = ViewTestSource.Anchor("head", history.Length);
        var plainView = await ViewMaterializer.MaterializeAsync(plain, Source, anchor, ViewFormat.Jsonl, null, default);
        var packedView = await ViewMaterializer.MaterializeAsync(packed, Source, anchor, ViewFormat.Jsonl, null, default);
        Assert.Equal(plainView.ContentChecksum, packedView.ContentChecksum);
        Assert.Equal(plainView.Parts.Select(p => p.Checksum), packedView.Parts.Select(p => p.Checksum));
        Assert.Equal(ViewTestSource.ExpectedAt(history, history.Length).Values, (await ViewTestSource.ReadJsonlAsync(packed, packedView)).Select(r => r.Hash));
    }

    [Fact]
    public async Task packs_are_repacked_again_as_they_thin_out_and_every_checkpoint_still_gives_the_exact_state()
    {
        var history = ViewTestSource.History(seed: 22, keySpace: 80, changes: 3000);
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, Source, new ExportLogOptions(), default);
        var options = ViewTestSource.Repacking(16);
        var packsSeen = new HashSet<string>(StringComparer.Ordinal);
        for (long from = 0; from < history.Length; from += 300)
        {
            var to = Math.Min(history.Length, from + 300);
            await ViewTestSource.CaptureAsync(store, log, history, from, to, batch: 25, compactAt: to, stateOptions: options);
            var manifest = (await new LiveStateReader(store, Source).ReadLatestManifestAsync(default))!;
            packsSeen.UnionWith(manifest.Files!.Where(f => StoreKeys.IsPackName(f.Name)).Select(f => f.Name));

            var view = await ViewMaterializer.MaterializeAsync(store, Source, ViewTestSource.Anchor($"at{to}", to), ViewFormat.Jsonl, null, default);
            var expected = ViewTestSource.ExpectedAt(history, to);
            var rows = await ViewTestSource.ReadJsonlAsync(store, view);
            Assert.Equal(expected.Keys, rows.Select(r => r.Key));
            Assert.Equal(expected.Values, rows.Select(r => r.DocumentHash));
        }
        var latest = (await new LiveStateReader(store, Source).ReadLatestManifestAsync(default))!;
        // Packs themselves thinned out and were re-packed: the latest manifest names only some of them.
        Assert.True(packsSeen.Count > latest.Files!.Count(f => StoreKeys.IsPackName(f.Name)), $"{packsSeen.Count} packs seen");
    }

    [Fact]
    public async Task garbage_collection_removes_packs_no_kept_manifest_names_and_keeps_the_rest()
    {
        var history = ViewTestSource.History(seed: 23, keySpace: 60, changes: 2400);
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, Source, new ExportLogOptions(), default);
        var options = ViewTestSource.Repacking(16);
        options.KeepManifests = 1;
        for (long from = 0; from < history.Length; from += 400)
        {
            await ViewTestSource.CaptureAsync(store, log, history, from, from + 400, batch: 20, compactAt: from + 400, stateOptions: options);
        }
        var packsBefore = await ListAsync(store, StoreKeys.StatePacksPrefix(Source));

        var removed = await LiveStateGarbageCollector.CollectAsync(store, Source, options, TimeSpan.Zero, default);

        var latest = (await new LiveStateReader(store, Source).ReadLatestManifestAsync(default))!;
        var named = latest.Files!.Where(f => StoreKeys.IsPackName(f.Name)).Select(f => StoreKeys.InSource(Source, f.Name)).ToHashSet();
        Assert.Contains(removed, k => k.Contains("/state/packs/", StringComparison.Ordinal));
        Assert.Equal(named.Order(), (await ListAsync(store, StoreKeys.StatePacksPrefix(Source))).Order());
        Assert.True(packsBefore.Count > named.Count);
        var view = await ViewMaterializer.MaterializeAsync(store, Source, ViewTestSource.Anchor("head", history.Length), ViewFormat.Jsonl, null, default);
        Assert.Equal(ViewTestSource.ExpectedAt(history, history.Length).Count, view.Rows);
    }

    [Fact]
    public async Task a_damaged_pack_stops_the_view_with_the_pack_named()
    {
        var history = ViewTestSource.History(seed: 24, keySpace: 50, changes: 1500);
        var store = await CaptureAsync(history, ViewTestSource.Repacking(16));
        var latest = (await new LiveStateReader(store, Source).ReadLatestManifestAsync(default))!;
        var pack = latest.Files!.First(f => StoreKeys.IsPackName(f.Name)).Name;
        var key = StoreKeys.InSource(Source, pack);
        var bytes = (await store.ReadAsync(key, default))!;
        bytes[^1] ^= 0xFF;
        await store.PutAsync(key, bytes, default);

        var e = await Assert.ThrowsAsync<SegmentChecksumException>(() =>
            ViewMaterializer.MaterializeAsync(store, Source, ViewTestSource.Anchor("head", history.Length), ViewFormat.Jsonl, null, default));

        Assert.Contains(pack, e.Message, StringComparison.Ordinal);
        Assert.Null(await store.ReadAsync(StoreKeys.ViewManifest(Source, "head", "jsonl"), default));
    }

    [Fact]
    public void invalid_repack_options_are_refused_with_the_setting_named()
    {
        var e = Assert.Throws<ArgumentException>(() => new LiveStateOptions { RepackBelowDensity = 1.5, RepackMinLines = 0, PackTargetBytes = 10 }.ThrowIfInvalid());
        Assert.Contains("RepackBelowDensity must be 0..1 (was 1.5)", e.Message, StringComparison.Ordinal);
        Assert.Contains("RepackMinLines must be at least 1 (was 0)", e.Message, StringComparison.Ordinal);
        Assert.Contains("PackTargetBytes must be at least 65536 (was 10)", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Captures the whole history in small commits and compacts every 500 changes, as the grain would.</summary>
    private static async Task<InMemoryObjectStore> CaptureAsync(SnapshotService.Simulated.SimulatedHistory history, LiveStateOptions options)
    {
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, Source, new ExportLogOptions(), default);
        for (long from = 0; from < history.Length; from += 500)
        {
            var to = Math.Min(history.Length, from + 500);
            await ViewTestSource.CaptureAsync(store, log, history, from, to, batch: 20, compactAt: to, stateOptions: options);
        }
        return store;
    }

    private static async Task<List<string>> ListAsync(IObjectStore store, string prefix)
    {
        var keys = new List<string>();
        await foreach (var item in store.ListAsync(prefix, default))
        {
            keys.Add(item.Key);
        }
        return keys;
    }
}
