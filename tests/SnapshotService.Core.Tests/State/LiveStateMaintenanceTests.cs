using SnapshotService.Log;
using SnapshotService.State;
using SnapshotService.Storage;

namespace SnapshotService.Core.Tests.State;

public sealed class LiveStateMaintenanceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static LiveStateManifest ManifestAt(long lastSeq, long liveKeys, DateTimeOffset writtenAt) =>
        new("state", 1, lastSeq, default, writtenAt, [new LiveStateRange(null, "f", new RangeDigest(liveKeys, 0), 0, null)]);

    [Theory]
    [InlineData(0L, 9_999L, false)] // no manifest: the minimum tail applies
    [InlineData(0L, 10_000L, true)]
    [InlineData(1_000_000L, 1_040_000L, false)] // 4% of 1M live keys
    [InlineData(1_000_000L, 1_050_000L, true)] // 5%
    public void compaction_is_due_when_the_tail_reaches_a_fraction_of_the_live_keys(long manifestSeq, long headSeq, bool due)
    {
        var manifest = manifestSeq == 0 ? null : ManifestAt(manifestSeq, 1_000_000, Now);
        Assert.Equal(due, LiveStateMaintenance.IsDue(manifest, headSeq, Now, new LiveStateMaintenanceOptions()));
    }

    [Fact]
    public void an_old_manifest_is_refreshed_for_any_tail_but_not_without_one()
    {
        var old = ManifestAt(100, 1_000_000, Now.AddMinutes(-11));
        Assert.True(LiveStateMaintenance.IsDue(old, 101, Now, new LiveStateMaintenanceOptions()));
        Assert.False(LiveStateMaintenance.IsDue(old, 100, Now, new LiveStateMaintenanceOptions()));
    }

    [Fact]
    public async Task a_long_first_tail_is_compacted_in_bounded_steps_up_to_the_head()
    {
        var store = new InMemoryObjectStore();
        var log = await ExportLog.OpenAsync(store, StateTestLog.Source, new ExportLogOptions(), default);
        for (var batch = 0; batch < 10; batch++)
        {
            await StateTestLog.AppendAsync(log, StateTestLog.Inserts((batch * 500) + 1, (batch + 1) * 500), firstVersion: (batch * 500) + 1);
        }
        var options = new LiveStateMaintenanceOptions { MinTailChanges = 1_000, MaxTailChangesPerStep = 1_000, GarbageMinAge = TimeSpan.FromDays(1), State = { KeepManifests = 10 } };

        var manifest = await LiveStateMaintenance.RunAsync(store, StateTestLog.Source, options, force: false, default);

        Assert.NotNull(manifest);
        Assert.Equal(5_000, manifest.LastSeq);
        Assert.Equal(5_000, manifest.Count);
        var steps = await new LiveStateReader(store, StateTestLog.Source).ListManifestCommitsAsync(default);
        Assert.Equal(5, steps.Count); // 1,000 changes per step: commits 2, 4, 6, 8, 10
        Assert.Null(await LiveStateMaintenance.RunAsync(store, StateTestLog.Source, options, force: false, default)); // nothing due now
    }
}
