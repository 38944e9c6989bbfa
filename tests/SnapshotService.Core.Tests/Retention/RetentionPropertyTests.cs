using CsCheck;
using SnapshotService.Errors;
using SnapshotService.Grains;
using SnapshotService.Log;
using SnapshotService.Retention;
using SnapshotService.Snapshots;
using SnapshotService.State;

namespace SnapshotService.Core.Tests.Retention;

/// <summary>
/// Retention's promise: whatever the history, checkpoints, anchors, deletions and limits, every
/// retained snapshot materializes to the same view checksum after garbage collection (and after
/// more capture, compaction and another collection), every anchor at or after the boundary can
/// still be created and is correct, and the log still verifies.
/// </summary>
public sealed class RetentionPropertyTests
{
    private static readonly Gen<Scenario> Scenarios =
        Gen.Select(
            Gen.Long[1, 1_000_000],
            Gen.Int[10, 60],
            Gen.Int[5, 40],
            Gen.Int[1, 4],
            Gen.Int[0, 1000].Array[1, 6],
            Gen.Bool.Array[6],
            Gen.Int[1, 30],
            Gen.Int[0, 2],
            (seed, keys, batch, compactEvery, anchors, deletes, keepCommits, limits) =>
                new Scenario(seed, keys, batch, compactEvery, anchors, deletes, keepCommits, limits));

    [Fact]
    public async Task every_retained_snapshot_materializes_to_the_same_checksum_after_gc()
    {
        var runsThatPruned = 0;
        await Scenarios.SampleAsync(async s =>
        {
            // Even seeds re-pack at every compaction, so retention must also keep the packs retained snapshots need.
            var export = await RetentionTestExport.CreateAsync(s.Seed, s.Keys, changes: 600, repack: s.Seed % 2 == 0);
            await export.CaptureAsync(400, s.Batch, s.CompactEvery);
            var anchors = new List<(SnapshotAnchor Anchor, string Checksum, bool Deleted)>();
            for (var i = 0; i < s.AnchorPerMille.Length; i++)
            {
                var anchor = await export.AnchorAsync(Math.Max(1, export.Captured * s.AnchorPerMille[i] / 1000));
                var view = await export.MaterializeAsync(anchor);
                Assert.Equal(export.ExpectedChecksum(anchor.Seq), view.ContentChecksum);
                anchors.Add((anchor, view.ContentChecksum, s.Delete[i]));
            }
            foreach (var deleted in anchors.Where(a => a.Deleted))
            {
                await new SnapshotDeleter(export.Anchors).DeleteAsync(RetentionTestExport.Source, deleted.Anchor.Id, default);
            }
            var options = s.Options();
            // Commits are minutes old at most: "now" two hours ahead puts all of them beyond KeepLogFor.
            var now = s.Limits == 0 ? DateTimeOffset.UtcNow : DateTimeOffset.UtcNow.AddHours(2);

            runsThatPruned += (await CollectAsync(export, options, now)).SegmentsDeleted > 0 ? 1 : 0;
            await AssertRetainedAsync(export, anchors);
            await export.CaptureAsync(200, s.Batch, s.CompactEvery);
            await CollectAsync(export, options, now.AddMinutes(1));
            await AssertRetainedAsync(export, anchors);

            var marker = await RetentionMarker.ReadAsync(export.Store, RetentionTestExport.Source, default);
            var first = Math.Max(1, marker?.FirstRetainedSeq ?? 1);
            var atBoundary = await export.AnchorAsync(first);
            Assert.Equal(export.ExpectedChecksum(first), (await export.MaterializeAsync(atBoundary)).ContentChecksum);
            if (first > 1)
            {
                var refusal = await Assert.ThrowsAsync<SnapshotServiceException>(() => export.AnchorAsync(first - 1));
                Assert.Equal(ErrorKind.FailedPrecondition, refusal.Kind);
            }
            var verification = await LogVerifier.VerifyAsync(export.Store, RetentionTestExport.Source, default);
            Assert.True(verification.Ok, string.Join("; ", verification.Problems.Concat(verification.ChecksumFailures)));
            foreach (var deleted in anchors.Where(a => a.Deleted))
            {
                var refusal = await Assert.ThrowsAsync<SnapshotServiceException>(() => export.MaterializeAsync(deleted.Anchor));
                Assert.Equal(ErrorKind.FailedPrecondition, refusal.Kind);
            }
        }, iter: 60, threads: 1);
        // Not vacuous: most random histories lose segments to the limits.
        Assert.True(runsThatPruned >= 20, $"only {runsThatPruned} of 60 runs pruned anything");
    }

    [Fact]
    public async Task gc_frees_the_history_no_retained_snapshot_needs()
    {
        var export = await RetentionTestExport.CreateAsync(seed: 3, keySpace: 30, changes: 2000);
        await export.CaptureAsync(2000, batch: 50, compactEvery: 5);
        var kept = await export.AnchorAsync(1500);
        var checksum = (await export.MaterializeAsync(kept)).ContentChecksum;
        var before = await export.SizeAsync();

        var result = await CollectAsync(export, new RetentionOptions { KeepLogCommits = 2 });

        Assert.True(result.SegmentsDeleted > 0, $"segments deleted: {result}");
        Assert.True(await export.SizeAsync() < before / 2, $"store shrank from {before} bytes to {await export.SizeAsync()}");
        Assert.Equal(checksum, (await export.RematerializeAsync(kept)).ContentChecksum);
    }

    [Fact]
    public async Task time_based_retention_prunes_only_history_older_than_the_limit()
    {
        var export = await RetentionTestExport.CreateAsync(seed: 4, keySpace: 20, changes: 400);
        await export.CaptureAsync(400, batch: 40, compactEvery: 2);

        var young = await RetentionCollector.CollectAsync(export.Store, RetentionTestExport.Source, new RetentionOptions { KeepLogFor = TimeSpan.FromHours(1) }, DateTimeOffset.UtcNow, default);
        var old = await RetentionCollector.CollectAsync(export.Store, RetentionTestExport.Source, new RetentionOptions { KeepLogFor = TimeSpan.FromHours(1) }, DateTimeOffset.UtcNow.AddHours(2), default);

        Assert.Equal(0, young.FirstRetainedSeq);
        Assert.Equal(0, young.SegmentsDeleted);
        Assert.True(old.FirstRetainedSeq > 0 && old.SegmentsDeleted > 0, $"after two hours: {old}");
        var latest = await export.AnchorAsync(export.Captured);
        Assert.Equal(export.ExpectedChecksum(export.Captured), (await export.MaterializeAsync(latest)).ContentChecksum);
    }

    [Fact]
    public async Task without_limits_nothing_is_pruned()
    {
        var export = await RetentionTestExport.CreateAsync(seed: 5, keySpace: 20, changes: 300);
        await export.CaptureAsync(300, batch: 30, compactEvery: 1);
        var before = await export.SizeAsync();

        var result = await RetentionCollector.CollectAsync(export.Store, RetentionTestExport.Source, new RetentionOptions(), DateTimeOffset.UtcNow.AddDays(30), default);

        Assert.Equal(new RetentionResult(0, 0, 0, 0, 0), result);
        Assert.Equal(before, await export.SizeAsync());
        Assert.Null(await RetentionMarker.ReadAsync(export.Store, RetentionTestExport.Source, default));
    }

    [Fact]
    public async Task an_anchor_created_after_a_collection_below_its_boundary_is_reported_as_pruned()
    {
        var export = await RetentionTestExport.CreateAsync(seed: 6, keySpace: 20, changes: 600);
        await export.CaptureAsync(600, batch: 30, compactEvery: 2);
        var early = await export.AnchorAsync(50);
        // A marker written before the anchor existed: the collection that wrote it did not protect it.
        await new RetentionMarker(400, 0, early.CreatedAt.AddSeconds(-1), 0).WriteAsync(export.Store, RetentionTestExport.Source, default);

        var refusal = await Assert.ThrowsAsync<SnapshotServiceException>(() => export.MaterializeAsync(early));

        Assert.Equal(ErrorKind.FailedPrecondition, refusal.Kind);
        Assert.Contains("retention pruned the log records before seq 400", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("SnapshotService:Retention:KeepLogFor", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void invalid_options_are_reported_naming_the_setting()
    {
        var problems = new RetentionOptions { KeepLogFor = TimeSpan.FromSeconds(5), KeepLogCommits = 0, OrphanViewMinAge = TimeSpan.Zero }.Validate();

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("SnapshotService:Retention:KeepLogFor must be at least 00:01:00", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("SnapshotService:Retention:KeepLogCommits must be at least 1", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("SnapshotService:Retention:OrphanViewMinAge", StringComparison.Ordinal));
    }

    /// <summary>What the source grain's maintenance does: compaction's count-based GC (pin-aware), then retention.</summary>
    private static async Task<RetentionResult> CollectAsync(RetentionTestExport export, RetentionOptions options, DateTimeOffset? now = null)
    {
        await LiveStateGarbageCollector.CollectAsync(export.Store, RetentionTestExport.Source, new LiveStateOptions { KeepManifests = 1, MaxKeysPerRange = 16 }, TimeSpan.Zero, default);
        var result = await RetentionCollector.CollectAsync(export.Store, RetentionTestExport.Source, options, now ?? DateTimeOffset.UtcNow, default);
        await LiveStateGarbageCollector.CollectAsync(export.Store, RetentionTestExport.Source, new LiveStateOptions { KeepManifests = 1, MaxKeysPerRange = 16 }, TimeSpan.Zero, default);
        return result;
    }

    private static async Task AssertRetainedAsync(RetentionTestExport export, List<(SnapshotAnchor Anchor, string Checksum, bool Deleted)> anchors)
    {
        foreach (var (anchor, checksum, _) in anchors.Where(a => !a.Deleted))
        {
            Assert.Equal(checksum, (await export.RematerializeAsync(anchor)).ContentChecksum);
        }
    }

    private sealed record Scenario(long Seed, int Keys, int Batch, int CompactEvery, int[] AnchorPerMille, bool[] Delete, int KeepCommits, int Limits)
    {
        /// <summary>0: count only; 1: time only; 2: both.</summary>
        public RetentionOptions Options() => Limits switch
        {
            0 => new RetentionOptions { KeepLogCommits = KeepCommits },
            1 => new RetentionOptions { KeepLogFor = TimeSpan.FromMinutes(1) },
            _ => new RetentionOptions { KeepLogCommits = KeepCommits, KeepLogFor = TimeSpan.FromMinutes(1) },
        };
    }
}
