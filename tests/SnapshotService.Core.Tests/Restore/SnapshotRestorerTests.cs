using System.Text;
using SnapshotService.Core.Tests.Retention;
using SnapshotService.Errors;
using SnapshotService.Hashing;
using SnapshotService.Restore;
using SnapshotService.Snapshots;
using SnapshotService.Testing;

namespace SnapshotService.Core.Tests.Restore;

public sealed class SnapshotRestorerTests
{
    [Fact]
    public async Task restore_into_an_empty_target_makes_it_equal_to_the_snapshot_and_verifies_it()
    {
        var export = await ExportAsync();
        var anchor = await export.AnchorAsync(250);
        using var directory = new TempDirectory("snapsvc-restore");
        var target = new FileRestoreTarget(directory.Path);
        var reports = new List<RestoreProgress>();

        var result = await Restorer(export).RestoreAsync(anchor, target, new SyncProgress(reports.Add), default);

        var expected = Views.ViewTestSource.ExpectedAt(export.History, 250);
        Assert.True(result.Verification.Ok, result.ToString());
        Assert.Equal(expected.Count, result.Verification.TargetDocuments);
        Assert.Equal(export.ExpectedChecksum(250), result.Verification.TargetChecksum);
        Assert.Equal(expected.Count, result.Progress.Upserted);
        Assert.Equal(0, result.Progress.Deleted);
        Assert.NotEmpty(reports);
        var restored = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await foreach (var document in target.ScanAsync(default))
        {
            restored[document.Key] = ContentHasher.Hash(document.Document.Span, ContentHashOptions.Default);
        }
        Assert.Equal(expected, restored);
    }

    [Fact]
    public async Task a_second_restore_writes_nothing()
    {
        var export = await ExportAsync();
        var anchor = await export.AnchorAsync(300);
        using var directory = new TempDirectory("snapsvc-restore");
        var target = new FileRestoreTarget(directory.Path);
        var first = await Restorer(export).RestoreAsync(anchor, target, null, default);

        var second = await Restorer(export).RestoreAsync(anchor, target, null, default);

        Assert.Equal(0, second.Progress.Upserted);
        Assert.Equal(0, second.Progress.Deleted);
        Assert.Equal(first.Progress.Upserted, second.Progress.Unchanged);
        Assert.True(second.Verification.Ok);
    }

    [Fact]
    public async Task restore_repairs_a_drifted_target_writing_only_the_differences()
    {
        var export = await ExportAsync();
        var anchor = await export.AnchorAsync(300);
        using var directory = new TempDirectory("snapsvc-restore");
        var target = new FileRestoreTarget(directory.Path);
        await Restorer(export).RestoreAsync(anchor, target, null, default);
        var keys = new List<RestoreDocument>();
        await foreach (var document in target.ScanAsync(default))
        {
            keys.Add(document);
        }
        await target.DeleteAsync([keys[0].Key], default);
        await target.UpsertAsync([keys[1] with { Document = Encoding.UTF8.GetBytes("{\"tampered\":true}") }, new RestoreDocument("zz-extra", null, Encoding.UTF8.GetBytes("{}"))], default);
        var drifted = await Restorer(export).VerifyAsync((await export.Views.ListPublishedAsync(RetentionTestExport.Source, anchor.Id, default))[0], target, default);
        Assert.Equal((1L, 1L, 1L, false), (drifted.Missing, drifted.Extra, drifted.Modified, drifted.Ok));

        var repaired = await Restorer(export).RestoreAsync(anchor, target, null, default);

        Assert.Equal(2, repaired.Progress.Upserted);
        Assert.Equal(1, repaired.Progress.Deleted);
        Assert.True(repaired.Verification.Ok, repaired.ToString());
    }

    [Fact]
    public async Task restoring_a_deleted_snapshot_is_refused()
    {
        var export = await ExportAsync();
        var anchor = await export.AnchorAsync(100);
        await new SnapshotDeleter(export.Anchors).DeleteAsync(RetentionTestExport.Source, anchor.Id, default);
        using var directory = new TempDirectory("snapsvc-restore");

        var refusal = await Assert.ThrowsAsync<SnapshotServiceException>(() => Restorer(export).RestoreAsync(anchor, new FileRestoreTarget(directory.Path), null, default));

        Assert.Equal(ErrorKind.FailedPrecondition, refusal.Kind);
        Assert.Empty(Directory.GetFiles(directory.Path));
    }

    private static SnapshotRestorer Restorer(RetentionTestExport export) => new(export.Views, ContentHashOptions.Default, batchSize: 17);

    private static async Task<RetentionTestExport> ExportAsync()
    {
        var export = await RetentionTestExport.CreateAsync(seed: 12, keySpace: 60, changes: 300);
        await export.CaptureAsync(300, batch: 40, compactEvery: 3);
        return export;
    }

    private sealed class SyncProgress(Action<RestoreProgress> report) : IProgress<RestoreProgress>
    {
        public void Report(RestoreProgress value) => report(value);
    }
}
