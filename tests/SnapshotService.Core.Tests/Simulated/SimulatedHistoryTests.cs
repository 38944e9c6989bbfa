using System.Text.Json;
using SnapshotService.Simulated;
using SnapshotService.Sources;
using static SnapshotService.Core.Tests.Simulated.SimulatedTestData;

namespace SnapshotService.Core.Tests.Simulated;

public sealed class SimulatedHistoryTests
{
    [Fact]
    public void the_same_seed_gives_the_same_history_documents_included()
    {
        var a = new SimulatedHistory(Options(seed: 42, maxChanges: 3_000));
        var b = new SimulatedHistory(Options(seed: 42, maxChanges: 3_000));

        for (long n = 1; n <= 3_000; n++)
        {
            Assert.Equal(Show(a.ChangeAt(n)), Show(b.ChangeAt(n)));
        }
    }

    [Fact]
    public void different_seeds_give_different_histories()
    {
        var a = new SimulatedHistory(Options(seed: 1, maxChanges: 3_000));
        var b = new SimulatedHistory(Options(seed: 2, maxChanges: 3_000));

        var keysA = Enumerable.Range(101, 500).Select(n => a.InfoAt(n).KeyNumber).ToArray();
        var keysB = Enumerable.Range(101, 500).Select(n => b.InfoAt(n).KeyNumber).ToArray();
        Assert.NotEqual(keysA, keysB);
        // Even the fill phase, which writes the same keys, writes different documents.
        Assert.NotEqual(a.ChangeAt(1).Document.ToArray(), b.ChangeAt(1).Document.ToArray());
    }

    [Fact]
    public void the_fill_phase_inserts_key_n_at_change_n()
    {
        var history = new SimulatedHistory(Options(keySpace: 250, maxChanges: 1_000));

        for (long n = 1; n <= 250; n++)
        {
            var change = history.ChangeAt(n);
            Assert.Equal(history.KeyOf((int)n), change.Key);
            Assert.Equal(ChangeOperation.Upsert, change.Operation);
            Assert.Equal(n, change.SourceVersion);
            Assert.Equal(ChangeOrigin.Capture, change.Origin);
        }
    }

    [Fact]
    public void keys_are_fixed_width_so_ordinal_order_is_numeric_order()
    {
        var history = new SimulatedHistory(Options(keySpace: 10_000));

        Assert.Equal("k00042", history.KeyOf(42));
        Assert.Equal("k10000", history.KeyOf(10_000));
        Assert.Equal("p10", history.PartitionKeyOf(42));
        var keys = Enumerable.Range(1, 10_000).Select(history.KeyOf).ToArray();
        Assert.Equal(keys, keys.OrderBy(k => k, StringComparer.Ordinal).ToArray());
        Assert.Equal(42, history.KeyNumberOf("k00042"));
        Assert.Null(history.KeyNumberOf("k0042"));
        Assert.Null(history.KeyNumberOf("k00000"));
        Assert.Null(history.KeyNumberOf("x00042"));
    }

    [Fact]
    public void source_time_is_origin_plus_n_intervals()
    {
        var origin = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var limited = new SimulatedHistory(Options(rate: 4));
        var unlimited = new SimulatedHistory(Options(rate: 0));

        Assert.Equal(origin, limited.SourceTimeOf(0));
        Assert.Equal(origin.AddMilliseconds(250), limited.ChangeAt(1).SourceTime);
        Assert.Equal(origin.AddSeconds(250), limited.ChangeAt(1_000).SourceTime);
        Assert.Equal(origin.AddMilliseconds(777), unlimited.ChangeAt(777).SourceTime);
    }

    [Fact]
    public void delete_percent_sets_the_share_of_deletes_after_the_fill_phase()
    {
        var history = new SimulatedHistory(Options(keySpace: 1_000, maxChanges: 41_000, deletePercent: 20));

        Assert.All(Enumerable.Range(1, 1_000), n => Assert.Equal(ChangeOperation.Upsert, history.InfoAt(n).Operation));
        var deletes = Enumerable.Range(1_001, 40_000).Count(n => history.InfoAt(n).Operation == ChangeOperation.Delete);
        Assert.InRange(deletes, 7_200, 8_800);
        var none = new SimulatedHistory(Options(keySpace: 1_000, maxChanges: 11_000, deletePercent: 0));
        Assert.DoesNotContain(Enumerable.Range(1, 11_000), n => none.InfoAt(n).Operation == ChangeOperation.Delete);
    }

    [Fact]
    public void keys_after_the_fill_phase_cover_the_whole_key_space()
    {
        var history = new SimulatedHistory(Options(keySpace: 100, maxChanges: 10_100));

        var keys = Enumerable.Range(101, 10_000).Select(n => history.InfoAt(n).KeyNumber).ToHashSet();
        Assert.Equal(Enumerable.Range(1, 100).ToHashSet(), keys);
    }

    [Fact]
    public void a_delete_of_an_absent_key_is_emitted_and_changes_nothing()
    {
        var history = new SimulatedHistory(Options(keySpace: 20, maxChanges: 2_000, deletePercent: 60));

        var found = false;
        for (long n = 21; n <= 2_000 && !found; n++)
        {
            var info = history.InfoAt(n);
            var before = history.StateAfter(n - 1);
            if (info.Operation == ChangeOperation.Delete && before.VersionOf(history.KeyOf(info.KeyNumber)) is null)
            {
                found = true;
                Assert.Equal(ChangeOperation.Delete, history.ChangeAt(n).Operation);
                Assert.True(history.ChangeAt(n).Document.IsEmpty);
                Assert.Equal(before.Documents(KeyRange.All).Select(Show), history.StateAfter(n).Documents(KeyRange.All).Select(Show));
            }
        }
        Assert.True(found, "the history should contain a delete of an absent key");
    }

    [Theory]
    [InlineData(64)]
    [InlineData(100)]
    [InlineData(256)]
    [InlineData(1_024)]
    [InlineData(10_000)]
    public void documents_are_canonical_json_of_the_requested_size(int documentBytes)
    {
        var history = new SimulatedHistory(Options(keySpace: 5_000, documentBytes: documentBytes, maxChanges: 20_000));

        foreach (var n in new long[] { 1, 9, 99, 999, 5_000, 5_001, 12_345, 19_999 })
        {
            var change = history.ChangeAt(n);
            if (change.Operation == ChangeOperation.Delete)
            {
                continue;
            }
            var json = change.Document;
            Assert.Equal(Canonical(json), json.ToArray());
            if (documentBytes >= 200)
            {
                Assert.Equal(documentBytes, json.Length);
            }
            else
            {
                Assert.InRange(json.Length, documentBytes, 150);
            }
            using var parsed = JsonDocument.Parse(json);
            var root = parsed.RootElement;
            Assert.Equal(change.Key, root.GetProperty("id").GetString());
            Assert.Equal(history.KeyNumberOf(change.Key), root.GetProperty("n").GetInt32());
            Assert.Equal(n, root.GetProperty("version").GetInt64());
            Assert.Equal(["id", "n", "name", "payload", "tags", "version"], root.EnumerateObject().Select(p => p.Name));
            Assert.InRange(root.GetProperty("tags").GetArrayLength(), 1, 3);
        }
    }

    [Fact]
    public void state_after_n_matches_a_replay_of_the_first_n_changes()
    {
        var history = new SimulatedHistory(Options(keySpace: 200, maxChanges: 3_000, deletePercent: 30));
        var replay = new SortedDictionary<string, SourceChange>(StringComparer.Ordinal);

        for (long n = 1; n <= 3_000; n++)
        {
            var change = history.ChangeAt(n);
            if (change.Operation == ChangeOperation.Upsert)
            {
                replay[change.Key] = change;
            }
            else
            {
                replay.Remove(change.Key);
            }
            if (n is 1 or 150 or 200 or 201 or 1_234 or 3_000)
            {
                var state = history.StateAfter(n);
                var expected = replay.Values.Select(c => Show(new SourceDocument(c.Key, c.PartitionKey, c.SourceVersion, c.Document))).ToList();
                Assert.Equal(expected, state.Documents(KeyRange.All).Select(Show).ToList());
                Assert.Equal(replay.Count, state.LiveCount);
                Assert.Equal(n, state.Position);
            }
        }
    }

    [Fact]
    public void a_state_moves_forward_in_steps_to_the_same_result_as_in_one_go()
    {
        var history = new SimulatedHistory(Options(keySpace: 100, maxChanges: 2_000));
        var stepped = history.StateAfter(0);

        foreach (var n in new long[] { 10, 100, 101, 999, 2_000 })
        {
            stepped.AdvanceTo(n);
        }

        Assert.Equal(history.StateAfter(2_000).Documents(KeyRange.All).Select(Show), stepped.Documents(KeyRange.All).Select(Show));
        Assert.Throws<ArgumentOutOfRangeException>(() => stepped.AdvanceTo(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => stepped.AdvanceTo(2_001));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("k050", null)]
    [InlineData(null, "k050")]
    [InlineData("k010", "k020")]
    [InlineData("k0105", "k02")]
    [InlineData("a", "z")]
    [InlineData("k", "k1")]
    [InlineData("l", null)]
    [InlineData("k020", "k010")]
    public void a_range_of_the_state_holds_exactly_the_live_keys_inside_it_in_ordinal_order(string? start, string? end)
    {
        var history = new SimulatedHistory(Options(keySpace: 500, maxChanges: 800, deletePercent: 40));
        var state = history.StateAfter(800);
        var range = new KeyRange(start, end);

        var all = state.Documents(KeyRange.All).ToList();
        var expected = all.Where(d => range.Contains(d.Key)).Select(Show).ToList();

        Assert.Equal(expected, state.Documents(range).Select(Show).ToList());
    }

    [Fact]
    public void a_capped_history_ends_at_max_changes()
    {
        var history = new SimulatedHistory(Options(maxChanges: 10));

        Assert.Equal(10, history.Length);
        Assert.Equal(10, history.ChangeAt(10).SourceVersion);
        Assert.Throws<ArgumentOutOfRangeException>(() => history.ChangeAt(11));
        Assert.Throws<ArgumentOutOfRangeException>(() => history.ChangeAt(0));
    }

    [Fact]
    public void the_reorder_order_of_a_window_is_a_permutation_fixed_by_seed_and_window()
    {
        var history = new SimulatedHistory(Options(reorder: 16, maxChanges: 100));

        var first = history.WindowOrder(0);
        Assert.Equal(Enumerable.Range(0, 16), first.Order());
        Assert.NotEqual(Enumerable.Range(0, 16), first);
        Assert.Equal(first, new SimulatedHistory(Options(reorder: 16, maxChanges: 100)).WindowOrder(0));
        Assert.NotEqual(first, history.WindowOrder(16));
        // The last window of a capped history is shorter.
        Assert.Equal(Enumerable.Range(0, 4), history.WindowOrder(96).Order());
    }
}
