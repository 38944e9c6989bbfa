using SnapshotService.Retention;
using SnapshotService.Snapshots;
using SnapshotService.Views;

namespace SnapshotService.Core.Tests.Retention;

public sealed class OrphanViewCollectorTests
{
    private const string Source = RetentionTestExport.Source;

    [Fact]
    public async Task abandoned_unpublished_views_and_views_of_deleted_snapshots_are_collected_published_ones_kept()
    {
        var export = await RetentionTestExport.CreateAsync(seed: 8, keySpace: 30, changes: 200);
        await export.CaptureAsync(200, batch: 20, compactEvery: 2);
        var published = await export.AnchorAsync(150);
        await export.MaterializeAsync(published);
        var deleted = await export.AnchorAsync(100);
        await export.MaterializeAsync(deleted);
        var abandoned = await export.AnchorAsync(120);
        var abandonedPart = SnapshotViews.FolderOf(Source, abandoned.Id, ViewFormat.Parquet) + "part-00000.parquet";
        await export.Store.PutAsync(abandonedPart, new byte[] { 1, 2, 3 }, default);
        // A materialization that published after the delete left its view behind.
        await new SnapshotTombstones(export.Store).MarkAsync(Source, deleted.Id, default);

        var young = await OrphanViewCollector.CollectAsync(export.Store, Source, TimeSpan.FromDays(1), DateTimeOffset.UtcNow, default);
        Assert.True(young.Files > 0);
        Assert.True(await export.Store.ExistsAsync(abandonedPart, default), "a young unpublished view may still be running");
        Assert.Empty(await export.Views.ListPublishedAsync(Source, deleted.Id, default));

        var old = await OrphanViewCollector.CollectAsync(export.Store, Source, TimeSpan.FromDays(1), DateTimeOffset.UtcNow.AddDays(2), default);

        Assert.Equal((1, 3L), old);
        Assert.False(await export.Store.ExistsAsync(abandonedPart, default));
        Assert.Single(await export.Views.ListPublishedAsync(Source, published.Id, default));
    }
}
