using CsCheck;
using SnapshotService.Log;
using SnapshotService.Storage;
using SnapshotService.Views;

namespace SnapshotService.Core.Tests.Views;

public sealed class ViewMaterializerTests
{
    private static readonly Gen<(long Seed, int KeySpace, int Changes, int Batch, int CompactPermille, int AnchorPermille, int RowsPerPart, bool Repack)> Histories =
        Gen.Select(Gen.Long[1, 1_000_000], Gen.Int[5, 120], Gen.Int[1, 600], Gen.Int[1, 90], Gen.Int[0, 1200], Gen.Int[1, 1000], Gen.Int[1, 50], Gen.Bool);

    [Fact]
    public Task view_at_n_equals_the_simulated_state_after_n_changes() =>
        Check.SampleAsync(Histories, async h =>
        {
            var history = ViewTestSource.History(h.Seed, h.KeySpace, h.Changes);
            var store = new InMemoryObjectStore();
            var log = await ExportLog.OpenAsync(store, ViewTestSource.Source, new ExportLogOptions(), default);
            // Compaction at a random point, sometimes never (permille > 1000), sometimes after the anchor.
            // Half the histories re-pack sparse segments at that compaction, so views also read packs.
            await ViewTestSource.CaptureAsync(store, log, history, 0, h.Changes, h.Batch, compactAt: h.Changes * h.CompactPermille / 1000, maxKeysPerRange: 8,
                stateOptions: h.Repack ? ViewTestSource.Repacking(8) : null);
            var seq = Math.Max(1, h.Changes * h.AnchorPermille / 1000);
            var options = new ViewOptions { RowsPerPart = h.RowsPerPart };

            var manifest = await ViewMaterializer.MaterializeAsync(store, ViewTestSource.Source, ViewTestSource.Anchor("s1", seq), ViewFormat.Jsonl, options, null, default);

            var expected = ViewTestSource.ExpectedAt(history, seq);
            var rows = await ViewTestSource.ReadJsonlAsync(store, manifest);
            Assert.Equal(expected.Keys, rows.Select(r => r.Key));
            Assert.Equal(expected.Values, rows.Select(r => r.Hash));
            Assert.Equal(expected.Values, rows.Select(r => r.DocumentHash));
            Assert.Equal(expected.Count, manifest.Rows);
            Assert.Equal(seq, manifest.Seq);
            Assert.All(manifest.Parts, p => Assert.True(p.Rows <= h.RowsPerPart));
        }, iter: 60, threads: 1);

    [Fact]
    public async Task view_checksum_is_the_same_after_more_capture_and_compaction_and_for_any_part_size()
    {
        var history = ViewTestSource.History(seed: 7, keySpace: 200, changes: 3000);
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, ViewTestSource.Source, new ExportLogOptions(), default);
        await ViewTestSource.CaptureAsync(store, log, history, 0, 1000, batch: 37, compactAt: 400);
        var before = await ViewMaterializer.MaterializeAsync(store, ViewTestSource.Source, ViewTestSource.Anchor("before", 900), ViewFormat.Jsonl, null, default);

        await ViewTestSource.CaptureAsync(store, log, history, 1000, 3000, batch: 53, compactAt: 2500);
        var after = await ViewMaterializer.MaterializeAsync(store, ViewTestSource.Source, ViewTestSource.Anchor("after", 900), ViewFormat.Jsonl, null, default);
        var smallParts = await ViewMaterializer.MaterializeAsync(store, ViewTestSource.Source, ViewTestSource.Anchor("small", 900), ViewFormat.Jsonl, new ViewOptions { RowsPerPart = 7 }, null, default);
        var parquet = await ViewMaterializer.MaterializeAsync(store, ViewTestSource.Source, ViewTestSource.Anchor("after", 900), ViewFormat.Parquet, null, default);

        Assert.Equal(before.ContentChecksum, after.ContentChecksum);
        Assert.Equal(before.ContentChecksum, smallParts.ContentChecksum);
        Assert.Equal(before.ContentChecksum, parquet.ContentChecksum);
        Assert.Equal(before.Rows, after.Rows);
        Assert.Equal(before.DocumentBytes, after.DocumentBytes);
        // Same split, same bytes: JSONL parts are a pure function of the anchor's content.
        Assert.Equal(before.Parts.Select(p => p.Checksum), after.Parts.Select(p => p.Checksum));
        Assert.True(smallParts.Parts.Count > after.Parts.Count);
        Assert.Equal(ViewTestSource.ExpectedAt(history, 900).Count, before.Rows);
    }

    [Fact]
    public async Task materializing_a_published_view_again_returns_the_published_manifest()
    {
        var history = ViewTestSource.History(seed: 3, keySpace: 50, changes: 200);
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, ViewTestSource.Source, new ExportLogOptions(), default);
        await ViewTestSource.CaptureAsync(store, log, history, 0, 200, batch: 20, compactAt: 100);
        var anchor = ViewTestSource.Anchor("again", 150);

        var first = await ViewMaterializer.MaterializeAsync(store, ViewTestSource.Source, anchor, ViewFormat.Parquet, null, default);
        var second = await ViewMaterializer.MaterializeAsync(store, ViewTestSource.Source, anchor, ViewFormat.Parquet, null, default);

        Assert.Equal(first.MaterializedAt, second.MaterializedAt);
        Assert.Equal(first.Parts, second.Parts);
        var read = await ViewMaterializer.ReadManifestAsync(store, ViewTestSource.Source, "again", ViewFormat.Parquet, default);
        Assert.NotNull(read);
        Assert.Equal(first.Parts, read.Parts);
        Assert.Equal(first.ContentChecksum, read.ContentChecksum);
    }

    [Fact]
    public async Task progress_reports_documents_bytes_and_the_expected_total()
    {
        var history = ViewTestSource.History(seed: 11, keySpace: 100, changes: 400);
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, ViewTestSource.Source, new ExportLogOptions(), default);
        await ViewTestSource.CaptureAsync(store, log, history, 0, 400, batch: 50, compactAt: 200);
        var reports = new List<MaterializeProgress>();

        var manifest = await ViewMaterializer.MaterializeAsync(store, ViewTestSource.Source, ViewTestSource.Anchor("p", 400), ViewFormat.Jsonl,
            new ViewOptions { RowsPerPart = 10 }, new SynchronousProgress(reports.Add), default);

        Assert.Equal(manifest.Parts.Count, reports.Count);
        Assert.All(reports, r => Assert.Equal(manifest.Rows, r.TotalDocuments));
        Assert.Equal(manifest.Rows, reports[^1].Documents);
        Assert.Equal(manifest.DocumentBytes, reports[^1].DocumentBytes);
        Assert.Equal(reports.Select(r => r.Documents).Order(), reports.Select(r => r.Documents));
    }

    [Fact]
    public async Task an_anchor_of_another_source_or_beyond_the_log_is_refused()
    {
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, ViewTestSource.Source, new ExportLogOptions(), default);
        await ViewTestSource.CaptureAsync(store, log, ViewTestSource.History(1, 10, 20), 0, 20, batch: 5);

        await Assert.ThrowsAsync<ArgumentException>(() => ViewMaterializer.MaterializeAsync(store, "other", ViewTestSource.Anchor("x", 5), ViewFormat.Jsonl, null, default));
        var beyond = await Assert.ThrowsAsync<InvalidOperationException>(() => ViewMaterializer.MaterializeAsync(store, ViewTestSource.Source, ViewTestSource.Anchor("x", 21), ViewFormat.Jsonl, null, default));
        Assert.Contains("1..20", beyond.Message, StringComparison.Ordinal);
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; tests need the reports in order and complete on return.</summary>
    private sealed class SynchronousProgress(Action<MaterializeProgress> report) : IProgress<MaterializeProgress>
    {
        public void Report(MaterializeProgress value) => report(value);
    }
}
