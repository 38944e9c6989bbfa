using SnapshotService.Sources;
using CsCheck;
using SnapshotService.Log;
using SnapshotService.State;
using SnapshotService.Storage;

namespace SnapshotService.Core.Tests.State;

/// <summary>
/// The correctness property of live-state checkpoints: whatever the history, the commit sizes,
/// the moments compaction ran and the range size, the view at any seq equals a naive replay of
/// records 1..seq, and its per-range digests equal digests computed from that naive state.
/// </summary>
public sealed class LiveStatePropertyTests
{
    private static readonly Gen<TestOp> Op =
        Gen.Select(Gen.Int[0, 39], Gen.Int[0, 99], Gen.Int[0, 1000], (k, d, v) => new TestOp(k, d < 25, v));

    private static readonly Gen<(TestOp[][] Commits, bool[] Compact, int MaxKeys, int[] Probes, int RangeFrom, int RangeLength)> Histories =
        Gen.Select(Op.Array[0, 25].Array[1, 12], Gen.Bool.Array[12], Gen.Int[4, 16], Gen.Int[0, 1000].Array[1, 6], Gen.Int[0, 39], Gen.Int[0, 40]);

    [Fact]
    public Task view_at_any_seq_equals_a_naive_replay_and_its_digests_match() =>
        Check.SampleAsync(Histories, async h =>
        {
            var store = new InMemoryObjectStore();
            var options = new LiveStateOptions { MaxKeysPerRange = h.MaxKeys };
            var log = await ExportLog.OpenAsync(store, StateTestLog.Source, new ExportLogOptions(), default);
            long version = 1;
            for (var c = 0; c < h.Commits.Length; c++)
            {
                await StateTestLog.AppendAsync(log, h.Commits[c], version);
                version += h.Commits[c].Length;
                if (h.Compact[c])
                {
                    await LiveStateCompactor.CompactAsync(store, StateTestLog.Source, options, default);
                }
            }
            var records = await StateTestLog.ReadAllAsync(store);
            var head = log.Head.LastSeq;
            var view = new LiveView(store, StateTestLog.Source);
            var range = new KeyRange(StateTestLog.KeyOf(h.RangeFrom), StateTestLog.KeyOf(h.RangeFrom + h.RangeLength));
            foreach (var probe in h.Probes.Append(1000))
            {
                var seq = head * probe / 1000;
                var expected = StateTestLog.NaiveStateAt(records, seq);
                Assert.Equal(expected, await StateTestLog.ToListAsync(view.ReadAtAsync(seq, null, default)));
                Assert.Equal(expected.Where(e => range.Contains(e.Key)), await StateTestLog.ToListAsync(view.ReadAtAsync(seq, range, default)));

                var digests = await view.DigestsAtAsync(seq, default);
                Assert.Null(digests[0].Range.StartInclusive);
                Assert.Null(digests[^1].Range.EndExclusive);
                foreach (var summary in digests)
                {
                    Assert.Equal(StateTestLog.DigestOf(expected.Where(e => summary.Range.Contains(e.Key))), summary.Digest);
                }
            }
            // Every range file respects the maximum, and stored digests match the files.
            var latest = await view.State.ReadLatestManifestAsync(default);
            if (latest is not null)
            {
                for (var i = 0; i < latest.Ranges.Count; i++)
                {
                    var entries = await StateTestLog.ToListAsync(view.State.ReadRangeAsync(latest, i, default));
                    Assert.True(entries.Count <= h.MaxKeys);
                    Assert.Equal(latest.Ranges[i].Digest, StateTestLog.DigestOf(entries));
                    Assert.All(entries, e => Assert.True(latest.KeyRangeOf(i).Contains(e.Key)));
                }
            }
        }, iter: 120, threads: 1);

    [Fact]
    public void range_digest_is_independent_of_order_and_removal_undoes_addition() =>
        Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 1, 12], Gen.UInt, Gen.ULong).Array[0, 40].Select(a => a.DistinctBy(p => p.Item1).ToArray()).SelectMany(a => Gen.Shuffle(a.ToArray()).Select(s => (a, s)))
            .Sample(t =>
            {
                var pairs = t.a;
                var shuffled = t.s;
                var forward = RangeDigest.Empty;
                foreach (var (key, hi, lo) in pairs)
                {
                    forward = forward.Add(key, new UInt128(hi, lo));
                }
                var backward = RangeDigest.Empty;
                foreach (var (key, hi, lo) in shuffled)
                {
                    backward = backward.Add(key, new UInt128(hi, lo));
                }
                Assert.Equal(forward, backward);
                foreach (var (key, hi, lo) in shuffled)
                {
                    backward = backward.Remove(key, new UInt128(hi, lo));
                }
                Assert.Equal(RangeDigest.Empty, backward);
            });
}
