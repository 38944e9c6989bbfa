using SnapshotService.Hashing;
using SnapshotService.Log;
using SnapshotService.Storage;
using SnapshotService.Views;

namespace SnapshotService.Core.Tests.Views;

public sealed class ViewCrashTests
{
    [Theory]
    [InlineData(ViewFormat.Jsonl, 0)]
    [InlineData(ViewFormat.Jsonl, 3)]
    [InlineData(ViewFormat.Parquet, 2)]
    public async Task a_materialization_interrupted_after_some_parts_reruns_cleanly(ViewFormat format, int partsBeforeCrash)
    {
        var history = ViewTestSource.History(seed: 21, keySpace: 150, changes: 800);
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, ViewTestSource.Source, new ExportLogOptions(), default);
        await ViewTestSource.CaptureAsync(store, log, history, 0, 800, batch: 64, compactAt: 500);
        var options = new ViewOptions { RowsPerPart = 20 };
        var reference = await ViewMaterializer.MaterializeAsync(store, ViewTestSource.Source, ViewTestSource.Anchor("reference", 700), format, options, null, default);

        var crashing = new CrashingStore(store, partsBeforeCrash);
        var anchor = ViewTestSource.Anchor("crash", 700);
        await Assert.ThrowsAsync<IOException>(() => ViewMaterializer.MaterializeAsync(crashing, ViewTestSource.Source, anchor, format, options, null, default));
        Assert.Null(await ViewMaterializer.ReadManifestAsync(store, ViewTestSource.Source, "crash", format, default));

        var rerun = await ViewMaterializer.MaterializeAsync(store, ViewTestSource.Source, anchor, format, options, null, default);

        Assert.Equal(reference.ContentChecksum, rerun.ContentChecksum);
        Assert.Equal(reference.Parts.Select(p => p.Checksum), rerun.Parts.Select(p => p.Checksum));
        var folder = StoreKeys.ViewFolder(ViewTestSource.Source, "crash", ViewFormats.Name(format));
        var stored = await ListAsync(store, folder);
        Assert.Equal(rerun.Parts.Select(p => folder + p.Name).Append(folder + StoreKeys.ViewManifestName).Order(StringComparer.Ordinal), stored);
    }

    [Fact]
    public async Task a_rerun_with_fewer_parts_removes_the_parts_a_crashed_run_left_behind()
    {
        var history = ViewTestSource.History(seed: 5, keySpace: 100, changes: 300);
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, ViewTestSource.Source, new ExportLogOptions(), default);
        await ViewTestSource.CaptureAsync(store, log, history, 0, 300, batch: 30, compactAt: 150);
        var anchor = ViewTestSource.Anchor("shrink", 300);
        await Assert.ThrowsAsync<IOException>(() => ViewMaterializer.MaterializeAsync(new CrashingStore(store, 6), ViewTestSource.Source, anchor, ViewFormat.Jsonl, new ViewOptions { RowsPerPart = 5 }, null, default));

        var manifest = await ViewMaterializer.MaterializeAsync(store, ViewTestSource.Source, anchor, ViewFormat.Jsonl, new ViewOptions { RowsPerPart = 1000 }, null, default);

        var folder = StoreKeys.ViewFolder(ViewTestSource.Source, "shrink", "jsonl");
        Assert.Single(manifest.Parts);
        Assert.Equal([folder + "manifest.json", folder + "part-00000.jsonl.zst"], await ListAsync(store, folder));
        Assert.Equal(ViewTestSource.ExpectedAt(history, 300).Keys, (await ViewTestSource.ReadJsonlAsync(store, manifest)).Select(r => r.Key));
    }

    [Fact]
    public async Task a_document_that_does_not_match_its_content_hash_stops_the_view_and_names_key_and_segment()
    {
        var history = ViewTestSource.History(seed: 9, keySpace: 40, changes: 100);
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, ViewTestSource.Source, new ExportLogOptions(), default);
        await ViewTestSource.CaptureAsync(store, log, history, 0, 100, batch: 25, compactAt: 50);

        // Hashing that ignores "payload" gives other hashes than the log recorded: to the
        // materializer this is indistinguishable from a document changed after it was hashed.
        var wrongHashing = new ContentHashOptions(new HashSet<string>(StringComparer.Ordinal) { "payload" });
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ViewMaterializer.MaterializeAsync(
            store, ViewTestSource.Source, ViewTestSource.Anchor("bad", 100), ViewFormat.Jsonl, new ViewOptions { Hashing = wrongHashing }, null, default));

        Assert.Matches("Key 'k[0-9]+' in segment 'segments/[0-9]{20}-[^']+'", error.Message);
        Assert.Contains("not published", error.Message, StringComparison.Ordinal);
        Assert.Null(await ViewMaterializer.ReadManifestAsync(store, ViewTestSource.Source, "bad", ViewFormat.Jsonl, default));
    }

    [Fact]
    public async Task a_damaged_segment_stops_the_view()
    {
        var history = ViewTestSource.History(seed: 9, keySpace: 40, changes: 100);
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, ViewTestSource.Source, new ExportLogOptions(), default);
        await ViewTestSource.CaptureAsync(store, log, history, 0, 100, batch: 100);
        var segment = (await ListAsync(store, StoreKeys.SegmentsPrefix(ViewTestSource.Source))).Single();
        var bytes = (await store.ReadAsync(segment, default))!;
        bytes[^3] ^= 0x5a;
        await store.PutAsync(segment, bytes, default);

        var error = await Assert.ThrowsAsync<SegmentChecksumException>(() => ViewMaterializer.MaterializeAsync(
            store, ViewTestSource.Source, ViewTestSource.Anchor("damaged", 100), ViewFormat.Jsonl, null, default));

        Assert.Contains("segments/", error.Message, StringComparison.Ordinal);
        Assert.Null(await ViewMaterializer.ReadManifestAsync(store, ViewTestSource.Source, "damaged", ViewFormat.Jsonl, default));
    }

    private static async Task<List<string>> ListAsync(IObjectStore store, string prefix)
    {
        var keys = new List<string>();
        await foreach (var o in store.ListAsync(prefix, default))
        {
            keys.Add(o.Key);
        }
        return keys;
    }

    /// <summary>Lets <paramref name="partsBeforeCrash"/> view part writes through, then fails the next one as a crash would.</summary>
    private sealed class CrashingStore(IObjectStore inner, int partsBeforeCrash) : IObjectStore
    {
        private int _parts;

        public string Description => "crashing:" + inner.Description;

        public ValueTask<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            if (key.Contains("/views/", StringComparison.Ordinal) && _parts++ == partsBeforeCrash)
            {
                throw new IOException($"Simulated crash before writing '{key}'.");
            }
            return inner.PutIfAbsentAsync(key, content, cancellationToken);
        }

        public ValueTask PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => inner.PutAsync(key, content, cancellationToken);

        public ValueTask<byte[]?> ReadAsync(string key, CancellationToken cancellationToken) => inner.ReadAsync(key, cancellationToken);

        public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken) => inner.ExistsAsync(key, cancellationToken);

        public IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        public ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);
    }
}
