using CsCheck;
using SnapshotService.Errors;
using SnapshotService.Simulated;
using SnapshotService.Sources;
using static SnapshotService.Core.Tests.Simulated.SimulatedTestData;

namespace SnapshotService.Core.Tests.Simulated;

public sealed class SimulatedSourceReadTests
{
    [Fact]
    public async Task without_faults_a_reader_gets_the_underlying_history_in_order()
    {
        await using var source = new SimulatedSource("demo", Options(maxChanges: 2_000));

        var (changes, positions) = await ReadToEndAsync(source, SourcePosition.Start, 777);

        Assert.Equal(Enumerable.Range(1, 2_000).Select(n => Show(source.History.ChangeAt(n))), changes.Select(Show));
        Assert.Equal(["sim:777", "sim:1554", "sim:2000"], positions.Select(p => p.Token));
        Assert.True(source.IsAtEnd(positions[^1]));
    }

    [Fact]
    public async Task without_faults_state_after_a_position_equals_a_replay_of_the_emitted_changes()
    {
        await using var source = new SimulatedSource("demo", Options(keySpace: 50, maxChanges: 1_500, deletePercent: 30));
        var replay = new SortedDictionary<string, SourceChange>(StringComparer.Ordinal);
        var position = SourcePosition.Start;

        while (!source.IsAtEnd(position))
        {
            var batch = await source.ReadChangesAsync(position, 97, CancellationToken.None);
            foreach (var change in batch.Changes)
            {
                if (change.Operation == ChangeOperation.Upsert)
                {
                    replay[change.Key] = change;
                }
                else
                {
                    replay.Remove(change.Key);
                }
            }
            position = batch.PositionAfter;
            Assert.True(source.TryGetUnderlyingPosition(position, out var n));
            var expected = replay.Values.Select(c => Show(new SourceDocument(c.Key, c.PartitionKey, c.SourceVersion, c.Document)));
            Assert.Equal(expected, source.History.StateAfter(n).Documents(KeyRange.All).Select(Show));
        }
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(100, 0, 0)]
    [InlineData(0, 150, 0)]
    [InlineData(0, 0, 16)]
    [InlineData(80, 120, 7)]
    [InlineData(1_000, 0, 5)]
    [InlineData(0, 1_000, 3)]
    public async Task resuming_from_every_returned_position_continues_the_emitted_stream_exactly(int drop, int duplicate, int reorder)
    {
        var options = Options(keySpace: 60, maxChanges: 300, documentBytes: 80, drop: drop, duplicate: duplicate, reorder: reorder);
        await using var reference = new SimulatedSource("demo", options);
        var (expected, _) = await ReadToEndAsync(reference, SourcePosition.Start, 1);

        // Every position a one-change-at-a-time reader sees, with the number of changes before it.
        var emittedBefore = 0;
        var afterEach = new List<(SourcePosition Position, int Emitted)>();
        var position = SourcePosition.Start;
        while (!reference.IsAtEnd(position))
        {
            var batch = await reference.ReadChangesAsync(position, 1, CancellationToken.None);
            emittedBefore += batch.Changes.Count;
            position = batch.PositionAfter;
            afterEach.Add((position, emittedBefore));
        }

        foreach (var (resumeAt, emitted) in afterEach)
        {
            await using var restarted = new SimulatedSource("demo", options);
            var (rest, _) = await ReadToEndAsync(restarted, resumeAt, 13);
            Assert.Equal(expected.Skip(emitted).Select(Show), rest.Select(Show));
        }
        Assert.Equal(expected.Count, afterEach[^1].Emitted);
    }

    [Fact]
    public async Task random_batch_sizes_and_restarts_yield_the_same_stream_as_one_uninterrupted_reader()
    {
        var genCase =
            from drop in Gen.OneOf(Gen.Const(0), Gen.Int[0, 300])
            from duplicate in Gen.OneOf(Gen.Const(0), Gen.Int[0, 300])
            from reorder in Gen.OneOf(Gen.Const(0), Gen.Int[1, 40])
            from seed in Gen.Long
            from batches in Gen.Int[1, 60].Array[1, 12]
            from restarts in Gen.Bool.Array[12]
            select (drop, duplicate, reorder, seed, batches, restarts);

        await genCase.SampleAsync(async c =>
        {
            var options = Options(seed: c.seed, keySpace: 40, maxChanges: 250, documentBytes: 70, drop: c.drop, duplicate: c.duplicate, reorder: c.reorder);
            var (expected, _) = await ReadToEndAsync(new SimulatedSource("demo", options), SourcePosition.Start, 10_000);

            var actual = new List<SourceChange>();
            var source = new SimulatedSource("demo", options);
            var position = SourcePosition.Start;
            for (var i = 0; !source.IsAtEnd(position); i++)
            {
                if (c.restarts[i % c.restarts.Length])
                {
                    source = new SimulatedSource("demo", options);
                }
                var batch = await source.ReadChangesAsync(position, c.batches[i % c.batches.Length], CancellationToken.None);
                actual.AddRange(batch.Changes);
                position = batch.PositionAfter;
            }
            Assert.Equal(expected.Select(Show), actual.Select(Show));
        }, iter: 150, threads: 1);
    }

    [Fact]
    public async Task drop_per_mille_leaves_out_exactly_the_dropped_changes()
    {
        await using var source = new SimulatedSource("demo", Options(maxChanges: 20_000, documentBytes: 64, drop: 100));

        var (changes, _) = await ReadToEndAsync(source, SourcePosition.Start, 1_000);

        var expected = Enumerable.Range(1, 20_000).Where(n => !source.History.IsDropped(n)).Select(n => (long)n);
        Assert.Equal(expected, changes.Select(c => c.SourceVersion));
        Assert.InRange(20_000 - changes.Count, 1_700, 2_300);
    }

    [Fact]
    public async Task duplicate_per_mille_emits_exactly_the_duplicated_changes_twice_in_a_row()
    {
        await using var source = new SimulatedSource("demo", Options(maxChanges: 20_000, documentBytes: 64, duplicate: 50));

        var (changes, _) = await ReadToEndAsync(source, SourcePosition.Start, 999);

        var expected = Enumerable.Range(1, 20_000)
            .SelectMany(n => source.History.IsDuplicated(n) ? new long[] { n, n } : [n]);
        Assert.Equal(expected, changes.Select(c => c.SourceVersion));
        Assert.InRange(changes.Count - 20_000, 800, 1_200);
        var i = changes.FindIndex(c => source.History.IsDuplicated(c.SourceVersion));
        Assert.Equal(Show(changes[i]), Show(changes[i + 1]));
    }

    [Fact]
    public async Task a_dropped_change_is_never_duplicated()
    {
        await using var source = new SimulatedSource("demo", Options(maxChanges: 5_000, documentBytes: 64, drop: 500, duplicate: 500));

        var (changes, _) = await ReadToEndAsync(source, SourcePosition.Start, 100);

        var expected = Enumerable.Range(1, 5_000).Where(n => !source.History.IsDropped(n))
            .SelectMany(n => source.History.IsDuplicated(n) ? new long[] { n, n } : [n]);
        Assert.Equal(expected, changes.Select(c => c.SourceVersion));
    }

    [Fact]
    public async Task reorder_window_shuffles_changes_only_within_each_window()
    {
        await using var source = new SimulatedSource("demo", Options(maxChanges: 1_000, documentBytes: 64, reorder: 32));

        var (changes, _) = await ReadToEndAsync(source, SourcePosition.Start, 50);

        var versions = changes.Select(c => c.SourceVersion).ToList();
        Assert.Equal(1_000, versions.Count);
        Assert.NotEqual(versions.Order(), versions);
        for (var w = 0; w * 32 < 1_000; w++)
        {
            var window = versions.Skip(w * 32).Take(32).ToList();
            Assert.Equal(Enumerable.Range((w * 32) + 1, window.Count).Select(n => (long)n), window.Order());
            var order = source.History.WindowOrder(w * 32);
            Assert.Equal(order.Select(j => (long)((w * 32) + 1 + j)), window);
        }
    }

    [Fact]
    public async Task a_source_that_drops_everything_still_returns_promptly_and_reaches_its_end()
    {
        await using var source = new SimulatedSource("demo", Options(maxChanges: 200_000, documentBytes: 64, drop: 1_000));

        var position = SourcePosition.Start;
        var reads = 0;
        while (!source.IsAtEnd(position))
        {
            var batch = await source.ReadChangesAsync(position, 10, CancellationToken.None);
            Assert.Empty(batch.Changes);
            Assert.NotEqual(position, batch.PositionAfter);
            position = batch.PositionAfter;
            reads++;
        }
        Assert.InRange(reads, 2, 10);
    }

    [Fact]
    public async Task the_same_options_give_the_same_emitted_stream_with_all_faults_on()
    {
        var options = Options(seed: 99, maxChanges: 3_000, drop: 50, duplicate: 50, reorder: 9);
        await using var a = new SimulatedSource("a", options);
        await using var b = new SimulatedSource("b", options);

        var (first, _) = await ReadToEndAsync(a, SourcePosition.Start, 100);
        var (second, _) = await ReadToEndAsync(b, SourcePosition.Start, 77, 3, 501);

        Assert.Equal(first.Select(Show), second.Select(Show));
    }

    [Theory]
    [InlineData("mongo:abc", "not produced by a simulated source")]
    [InlineData("sim:x", "not a non-negative integer")]
    [InlineData("sim:5000", "the history has only 1000 changes")]
    [InlineData("sim:10.3", "mid-window positions only exist when fault knobs are set")]
    [InlineData("sim:10.0", "slot is not a positive integer")]
    public async Task a_foreign_or_impossible_position_is_refused_with_a_message_naming_the_source(string token, string reason)
    {
        await using var source = new SimulatedSource("demo", Options(maxChanges: 1_000));

        var error = await Assert.ThrowsAsync<SnapshotServiceException>(async () =>
            await source.ReadChangesAsync(new SourcePosition(token), 10, CancellationToken.None));

        Assert.Equal(ErrorKind.FailedPrecondition, error.Kind);
        Assert.StartsWith($"Source 'demo': cannot resume from position '{token}'", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public async Task a_window_boundary_position_stays_valid_when_faults_are_switched_on_and_a_mid_window_one_is_refused()
    {
        await using var plain = new SimulatedSource("demo", Options(maxChanges: 1_000));
        await using var faulty = new SimulatedSource("demo", Options(maxChanges: 1_000, reorder: 10, drop: 10));

        var batch = await faulty.ReadChangesAsync(new SourcePosition("sim:100"), 5, CancellationToken.None);
        Assert.All(batch.Changes, c => Assert.InRange(c.SourceVersion, 101, 110));
        await Assert.ThrowsAsync<SnapshotServiceException>(async () => await faulty.ReadChangesAsync(new SourcePosition("sim:105"), 5, CancellationToken.None));
        await Assert.ThrowsAsync<SnapshotServiceException>(async () => await plain.ReadChangesAsync(batch.PositionAfter, 5, CancellationToken.None));
    }

    [Fact]
    public async Task describe_labels_the_source_as_the_deterministic_demo_and_benchmark_source()
    {
        await using var source = new SimulatedSource("demo", Options(seed: 5, keySpace: 300, documentBytes: 512, rate: 250, maxChanges: 0, deletePercent: 7, drop: 3));

        var descriptor = source.Describe();

        Assert.Equal("demo", descriptor.SourceId);
        Assert.Equal("simulated", descriptor.Kind);
        Assert.Equal(
            "deterministic demo/benchmark source: seed=5, keyspace=300, docsize=512 B, rate=250/s, deletes=7%, max=unbounded, faults=drop=3‰ duplicate=0‰ reorder-window=0",
            descriptor.Description);
    }
}
