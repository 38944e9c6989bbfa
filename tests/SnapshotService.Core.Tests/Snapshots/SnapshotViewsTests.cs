using SnapshotService.Core.Tests.Retention;
using SnapshotService.Errors;
using SnapshotService.Snapshots;
using SnapshotService.Storage;
using SnapshotService.Views;

namespace SnapshotService.Core.Tests.Snapshots;

public sealed class SnapshotViewsTests
{
    private const string Source = RetentionTestExport.Source;

    [Fact]
    public async Task a_delete_during_materialization_wins_and_leaves_no_view()
    {
        var export = await ExportAsync();
        var anchor = await export.AnchorAsync(200);
        var tombstones = new SnapshotTombstones(export.Store);
        // The first part is written when the delete arrives. IProgress.Report is synchronous; the
        // in-memory store completes synchronously, so waiting here cannot deadlock.
#pragma warning disable VSTHRD002
        var deleteAfterFirstPart = new DeletingProgress(() => tombstones.MarkAsync(Source, anchor.Id, default).GetAwaiter().GetResult());
#pragma warning restore VSTHRD002

        var refusal = await Assert.ThrowsAsync<SnapshotServiceException>(() =>
            export.Views.MaterializeAsync(anchor, ViewFormat.Jsonl, new ViewOptions { RowsPerPart = 10 }, deleteAfterFirstPart, default));

        Assert.Equal(ErrorKind.FailedPrecondition, refusal.Kind);
        Assert.Contains("was deleted at", refusal.Message, StringComparison.Ordinal);
        await foreach (var item in export.Store.ListAsync(StoreKeys.ViewsPrefix(Source), default))
        {
            Assert.Fail($"view file {item.Key} survived the delete");
        }
    }

    [Fact]
    public async Task an_anchor_beyond_the_log_is_failed_precondition()
    {
        var export = await ExportAsync();
        var anchor = await export.AnchorAsync(200) with { Seq = 10_000 };

        var refusal = await Assert.ThrowsAsync<SnapshotServiceException>(() => export.MaterializeAsync(anchor));

        Assert.Equal(ErrorKind.FailedPrecondition, refusal.Kind);
        Assert.Contains("outside the committed log", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task deleting_frees_every_format_and_keeps_the_anchor()
    {
        var export = await ExportAsync();
        var anchor = await export.AnchorAsync(150);
        await export.MaterializeAsync(anchor);
        await export.Views.MaterializeAsync(anchor, ViewFormat.Parquet, new ViewOptions(), null, default);

        var deleted = await new SnapshotDeleter(export.Anchors).DeleteAsync(Source, anchor.Id, default);

        Assert.True(deleted.BytesFreed > 0);
        Assert.Empty(await export.Views.ListPublishedAsync(Source, anchor.Id, default));
        Assert.Equal(anchor, await export.Anchors.GetAsync(Source, anchor.Id, default));
        Assert.Equal(deleted.DeletedAt, (await new SnapshotDeleter(export.Anchors).DeleteAsync(Source, anchor.Id, default)).DeletedAt);
    }

    private static async Task<RetentionTestExport> ExportAsync()
    {
        var export = await RetentionTestExport.CreateAsync(seed: 31, keySpace: 50, changes: 200);
        await export.CaptureAsync(200, batch: 20, compactEvery: 3);
        return export;
    }

    private sealed class DeletingProgress(Action delete) : IProgress<MaterializeProgress>
    {
        private bool _done;

        public void Report(MaterializeProgress value)
        {
            if (!_done)
            {
                _done = true;
                delete();
            }
        }
    }
}
