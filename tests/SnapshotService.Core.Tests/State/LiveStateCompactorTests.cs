using SnapshotService.Core.Tests.Storage;
using SnapshotService.Log;
using SnapshotService.State;
using SnapshotService.Storage;
using SnapshotService.Testing;

namespace SnapshotService.Core.Tests.State;

public sealed class LiveStateCompactorTests
{
    private static readonly LiveStateOptions Options = new() { MaxKeysPerRange = 8 };

    [Fact]
    public async Task incremental_compaction_rewrites_only_the_ranges_the_tail_touched()
    {
        var inner = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(inner, StateTestLog.Source, new ExportLogOptions(), default);
        await StateTestLog.AppendAsync(log, StateTestLog.Inserts(0, 63), 1);
        var first = await LiveStateCompactor.CompactAsync(inner, StateTestLog.Source, Options, default);
        Assert.Equal(8, first.Ranges.Count);
        Assert.All(first.Ranges, r => Assert.Equal(8, r.Digest.Count));

        await StateTestLog.AppendAsync(log, [new TestOp(20, false, 7), new TestOp(21, true, 0)], 65);
        var counting = new CountingObjectStore(inner);
        var second = await LiveStateCompactor.CompactAsync(counting, StateTestLog.Source, Options, default);

        Assert.Equal(3, counting.Writes); // one range file, the manifest, the latest pointer
        Assert.Equal(first.Ranges.Select(r => r.StartKey), second.Ranges.Select(r => r.StartKey));
        var changed = Enumerable.Range(0, 8).Where(i => first.Ranges[i].File != second.Ranges[i].File).ToList();
        Assert.Equal([2], changed);
        Assert.Equal(7, second.Ranges[2].Digest.Count);
        Assert.Single(counting.Reads, k => k.Contains("/state/ranges/", StringComparison.Ordinal)); // only the touched range was read
    }

    [Fact]
    public async Task a_range_that_outgrows_the_maximum_splits_at_its_median_and_other_boundaries_stay()
    {
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, StateTestLog.Source, new ExportLogOptions(), default);
        await StateTestLog.AppendAsync(log, StateTestLog.Inserts(0, 31), 1);
        var first = await LiveStateCompactor.CompactAsync(store, StateTestLog.Source, Options, default);
        Assert.Equal([null, "k008", "k016", "k024"], first.Ranges.Select(r => r.StartKey));

        // Keys k100..k115 sort between k024..k031 and nothing else ("k1" > "k03"): they all land in the last range.
        await StateTestLog.AppendAsync(log, StateTestLog.Inserts(100, 115), 33);
        var second = await LiveStateCompactor.CompactAsync(store, StateTestLog.Source, Options, default);

        Assert.Equal(first.Ranges.Take(3), second.Ranges.Take(3)); // untouched: same boundary, same file, same digest
        Assert.Equal("k024", second.Ranges[3].StartKey);
        Assert.True(second.Ranges.Count > 4);
        Assert.All(second.Ranges, r => Assert.InRange(r.Digest.Count, 1, Options.MaxKeysPerRange));
        Assert.Equal(48, second.Count);
    }

    [Fact]
    public async Task a_compaction_that_crashes_before_its_manifest_leaves_the_previous_one_in_force_and_a_rerun_completes()
    {
        var inner = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(inner, StateTestLog.Source, new ExportLogOptions(), default);
        await StateTestLog.AppendAsync(log, StateTestLog.Inserts(0, 63), 1);
        var first = await LiveStateCompactor.CompactAsync(inner, StateTestLog.Source, Options, default);
        await StateTestLog.AppendAsync(log, [new TestOp(3, false, 9), new TestOp(30, false, 9), new TestOp(60, true, 0)], 65);

        for (var writesBeforeCrash = 0; writesBeforeCrash < 3; writesBeforeCrash++)
        {
            var crashing = new CrashingObjectStore(inner, writesBeforeCrash);
            await Assert.ThrowsAsync<SimulatedCrashException>(() => LiveStateCompactor.CompactAsync(crashing, StateTestLog.Source, Options, default));
            var inForce = await new LiveStateReader(inner, StateTestLog.Source).ReadLatestManifestAsync(default);
            Assert.Equal(first.CommitNumber, inForce!.CommitNumber);
        }

        var second = await LiveStateCompactor.CompactAsync(inner, StateTestLog.Source, Options, default);
        Assert.Equal(2, second.CommitNumber);
        var records = await StateTestLog.ReadAllAsync(inner);
        var view = new LiveView(inner, StateTestLog.Source);
        Assert.Equal(StateTestLog.NaiveStateAt(records, log.Head.LastSeq), await StateTestLog.ToListAsync(view.ReadAtAsync(log.Head.LastSeq, null, default)));
        Assert.Equal(second, await view.ManifestAtAsync(log.Head.LastSeq, default) with { Ranges = second.Ranges, Files = second.Files });
    }

    [Fact]
    public async Task compactors_racing_for_the_same_commit_agree_on_one_manifest()
    {
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, StateTestLog.Source, new ExportLogOptions(), default);
        await StateTestLog.AppendAsync(log, StateTestLog.Inserts(0, 40), 1);
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => LiveStateCompactor.CompactAsync(store, StateTestLog.Source, Options, default))));
        var stored = await new LiveStateReader(store, StateTestLog.Source).ReadManifestAsync(1, default);
        Assert.All(results, r => Assert.Equal(stored!.Ranges, r.Ranges));
        Assert.All(results, r => Assert.Equal(stored!.WrittenAt, r.WrittenAt));
    }

    [Fact]
    public async Task compaction_up_to_a_commit_stops_there_and_is_a_no_op_when_already_covered()
    {
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, StateTestLog.Source, new ExportLogOptions(), default);
        await StateTestLog.AppendAsync(log, StateTestLog.Inserts(0, 9), 1);
        await StateTestLog.AppendAsync(log, StateTestLog.Inserts(10, 19), 11);
        var atOne = await LiveStateCompactor.CompactAsync(store, StateTestLog.Source, 1, Options, default);
        Assert.Equal((1, 10, 10), (atOne.CommitNumber, atOne.LastSeq, atOne.Count));
        Assert.Equal("offset:10", atOne.Position.Token);
        var again = await LiveStateCompactor.CompactAsync(store, StateTestLog.Source, 1, Options, default);
        Assert.Equal(atOne.WrittenAt, again.WrittenAt);
        var atHead = await LiveStateCompactor.CompactAsync(store, StateTestLog.Source, Options, default);
        Assert.Equal((2, 20, 20), (atHead.CommitNumber, atHead.LastSeq, atHead.Count));
    }

    [Fact]
    public async Task garbage_collection_keeps_the_newest_manifests_and_every_file_they_name()
    {
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, StateTestLog.Source, new ExportLogOptions(), default);
        var options = new LiveStateOptions { MaxKeysPerRange = 4, KeepManifests = 2 };
        long version = 1;
        for (var round = 0; round < 5; round++)
        {
            var ops = new List<TestOp> { new(round * 3, false, round), new((round * 7) % 20, true, 0) };
            ops.AddRange(StateTestLog.Inserts(round * 4, (round * 4) + 3, round));
            await StateTestLog.AppendAsync(log, ops, version);
            version += ops.Count;
            await LiveStateCompactor.CompactAsync(store, StateTestLog.Source, options, default);
        }
        var reader = new LiveStateReader(store, StateTestLog.Source);
        var removed = await LiveStateGarbageCollector.CollectAsync(store, StateTestLog.Source, options, TimeSpan.Zero, default);

        Assert.Equal([4L, 5L], await reader.ListManifestCommitsAsync(default));
        Assert.Contains(removed, k => k.Contains("/state/ranges/", StringComparison.Ordinal));
        var records = await StateTestLog.ReadAllAsync(store);
        var view = new LiveView(store, StateTestLog.Source);
        foreach (var seq in new[] { log.Head.LastSeq, records.Count - 3 })
        {
            Assert.Equal(StateTestLog.NaiveStateAt(records, seq), await StateTestLog.ToListAsync(view.ReadAtAsync(seq, null, default)));
        }
        Assert.Empty(await LiveStateGarbageCollector.CollectAsync(store, StateTestLog.Source, options, TimeSpan.Zero, default));
    }

    [Fact]
    public async Task checkpoints_work_on_the_file_system_store()
    {
        using var dir = new TempDirectory("state");
        var store = new FileSystemObjectStore(dir.Path, durable: false);
        var log = await ExportLog.OpenAsync(store, StateTestLog.Source, new ExportLogOptions(), default);
        await StateTestLog.AppendAsync(log, StateTestLog.Inserts(0, 29), 1);
        await LiveStateCompactor.CompactAsync(store, StateTestLog.Source, Options, default);
        await StateTestLog.AppendAsync(log, [new TestOp(5, true, 0), new TestOp(40, false, 3), new TestOp(6, false, 4)], 31);
        await LiveStateCompactor.CompactAsync(store, StateTestLog.Source, Options, default);
        await StateTestLog.AppendAsync(log, [new TestOp(7, true, 0)], 34);

        var records = await StateTestLog.ReadAllAsync(store);
        var view = new LiveView(store, StateTestLog.Source);
        for (long seq = 0; seq <= log.Head.LastSeq; seq++)
        {
            var expected = StateTestLog.NaiveStateAt(records, seq);
            Assert.Equal(expected, await StateTestLog.ToListAsync(view.ReadAtAsync(seq, null, default)));
            var digests = await view.DigestsAtAsync(seq, default);
            Assert.Equal(StateTestLog.DigestOf(expected), digests.Aggregate(RangeDigest.Empty, (a, s) => a.Plus(s.Digest)));
        }
        Assert.True(File.Exists(Path.Combine(dir.Path, "sources", StateTestLog.Source, "state", "latest.json")));
    }

    [Fact]
    public async Task a_view_beyond_the_committed_log_is_refused_with_the_log_end_named()
    {
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, StateTestLog.Source, new ExportLogOptions(), default);
        await StateTestLog.AppendAsync(log, StateTestLog.Inserts(0, 4), 1);
        var view = new LiveView(store, StateTestLog.Source);
        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => StateTestLog.ToListAsync(view.ReadAtAsync(9, null, default)));
        Assert.Contains("ends at seq 5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void invalid_options_are_refused_with_the_setting_named()
    {
        var e = Assert.Throws<ArgumentException>(() => new LiveStateOptions { MaxKeysPerRange = 1, KeepManifests = 0 }.ThrowIfInvalid());
        Assert.Contains("MaxKeysPerRange must be at least 2 (was 1)", e.Message, StringComparison.Ordinal);
        Assert.Contains("KeepManifests must be at least 1 (was 0)", e.Message, StringComparison.Ordinal);
    }
}
