using System.Text;
using SnapshotService.Repair;
using SnapshotService.Sources;
using SnapshotService.Storage;

namespace SnapshotService.Core.Tests.Repair;

/// <summary>
/// Invariant 6 on the capture side, case by case: once repair wrote a key at version V, a late or
/// replayed capture (or backfill) change of that key at V or older must not reach the log.
/// </summary>
public sealed class RepairGuardTests
{
    private static readonly DateTimeOffset Time = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static SourceChange Change(string key, long version, ChangeOrigin origin = ChangeOrigin.Capture, ChangeOperation operation = ChangeOperation.Upsert) =>
        new(key, null, operation, version, Time, operation == ChangeOperation.Delete ? ReadOnlyMemory<byte>.Empty : Encoding.UTF8.GetBytes($$"""{"v":{{version}}}"""), origin);

    private static RepairGuard GuardOf(params SourceChange[] repairs)
    {
        var guard = RepairGuard.Empty();
        guard.Add(repairs);
        return guard;
    }

    /// <summary>The changes as "key@version" in order, so an assertion failure shows what got through.</summary>
    private static string Kept(IReadOnlyList<SourceChange> changes) => string.Join(" ", changes.Select(c => $"{c.Key}@{c.SourceVersion}"));

    [Fact]
    public void late_capture_changes_at_or_below_the_repaired_version_are_dropped()
    {
        var guard = GuardOf(Change("a", 10, ChangeOrigin.Repair));

        var kept = guard.Filter([Change("a", 3), Change("a", 9), Change("a", 7, ChangeOrigin.Backfill, ChangeOperation.Delete)]);

        Assert.Equal("", Kept(kept));
    }

    [Fact]
    public void a_replay_of_the_repaired_version_is_dropped_and_ends_the_guard()
    {
        var guard = GuardOf(Change("a", 10, ChangeOrigin.Repair));

        Assert.Equal("", Kept(guard.Filter([Change("a", 10)])));
        // Capture has delivered the repaired version itself: it is caught up, so the guard is gone.
        Assert.Equal("a@11", Kept(guard.Filter([Change("a", 11)])));
    }

    [Fact]
    public void a_newer_capture_change_is_kept_and_ends_the_guard()
    {
        var guard = GuardOf(Change("a", 10, ChangeOrigin.Repair));

        Assert.Equal("a@12", Kept(guard.Filter([Change("a", 12)])));
        // From here on capture is ahead of the repair; the guard no longer filters this key.
        Assert.Equal("a@4", Kept(guard.Filter([Change("a", 4)])));
    }

    [Fact]
    public void only_the_guarded_changes_of_a_mixed_batch_are_dropped_in_order()
    {
        var guard = GuardOf(Change("a", 10, ChangeOrigin.Repair), Change("b", 20, ChangeOrigin.Repair, ChangeOperation.Delete));

        var kept = guard.Filter([Change("c", 1), Change("a", 8), Change("b", 21), Change("a", 9), Change("b", 5), Change("c", 2), Change("a", 15)]);

        // b's guard ended at version 21 (newer than its repair), so its late version 5 is no longer dropped.
        Assert.Equal("c@1 b@21 b@5 c@2 a@15", Kept(kept));
    }

    [Fact]
    public void repair_changes_pass_and_keep_the_guard()
    {
        var guard = GuardOf(Change("a", 10, ChangeOrigin.Repair));

        Assert.Equal("a@10 a@4", Kept(guard.Filter([Change("a", 10, ChangeOrigin.Repair), Change("a", 4, ChangeOrigin.Repair)])));
        Assert.Equal("", Kept(guard.Filter([Change("a", 9)])));
    }

    [Fact]
    public void the_newer_of_two_repairs_of_a_key_is_the_one_guarded()
    {
        var guard = GuardOf(Change("a", 10, ChangeOrigin.Repair), Change("a", 6, ChangeOrigin.Repair));

        Assert.Equal("", Kept(guard.Filter([Change("a", 8)])));
    }

    [Fact]
    public void without_guarded_keys_the_same_list_is_returned()
    {
        IReadOnlyList<SourceChange> changes = [Change("a", 1), Change("b", 2)];

        Assert.Same(changes, RepairGuard.Empty().Filter(changes));
        Assert.Same(changes, GuardOf(Change("z", 5, ChangeOrigin.Repair)).Filter(changes));
    }

    [Fact]
    public async Task a_saved_guard_still_drops_late_changes_after_a_restart()
    {
        var store = new InMemoryObjectStore();
        await GuardOf(Change("a", 10, ChangeOrigin.Repair)).SaveAsync(store, "guarded", default);

        var loaded = await RepairGuard.LoadAsync(store, "guarded", default);

        Assert.Equal("a@11", Kept(loaded.Filter([Change("a", 10), Change("a", 11)])));
        Assert.Equal("a@1", Kept((await RepairGuard.LoadAsync(store, "other", default)).Filter([Change("a", 1)])));
    }
}
