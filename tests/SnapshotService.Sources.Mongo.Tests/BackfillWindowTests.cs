using System.Text;
using CsCheck;

namespace SnapshotService.Sources.Mongo.Tests;

public sealed class BackfillWindowTests
{
    private static BackfillRow Row(string key, int value) => new(key, Encoding.UTF8.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void a_row_whose_key_the_stream_carried_inside_the_window_is_dropped()
    {
        var window = new BackfillWindow([Row("a", 1), Row("b", 2)], readVersion: 10, fetchesAtRead: 0);
        Assert.False(window.ClosesAt(10));
        window.Observe("a", 10);
        Assert.True(window.ClosesAt(11));
        var rows = window.TakeRemaining();
        Assert.Equal(["b"], rows.Select(r => r.Key));
        Assert.Equal(1, window.Dropped);
    }

    [Fact]
    public void an_empty_batch_fetched_after_the_read_closes_the_window()
    {
        var window = new BackfillWindow([Row("a", 1)], readVersion: 10, fetchesAtRead: 4);
        window.ObserveEmptyFetch(4, resumePointTime: 9);
        Assert.False(window.IsClosed);
        Assert.Throws<InvalidOperationException>(() => window.TakeRemaining());
        window.ObserveEmptyFetch(5, resumePointTime: null);
        Assert.True(window.IsClosed);
    }

    [Fact]
    public void an_idle_stream_already_at_the_read_time_closes_the_window_at_once()
    {
        var window = new BackfillWindow([Row("a", 1)], readVersion: 10, fetchesAtRead: 4);
        window.ObserveEmptyFetch(4, resumePointTime: 10);
        Assert.True(window.IsClosed);
    }

    /// <summary>
    /// Random interleavings of writes, stream deliveries (one event or an empty batch) and chunk
    /// reads that take time (rows read one by one while writes go on). The export, built from the
    /// emitted changes in order, equals the collection at the end, and no key's version goes back.
    /// </summary>
    [Fact]
    public void backfill_merged_with_the_stream_ends_equal_to_the_collection_with_no_update_lost()
    {
        var gen = Gen.Select(Gen.Int[0, 12].Array[1, 20], Gen.Int[0, 99].Array[20, 400], Gen.Int[1, 5]);
        gen.Sample((initial, steps, chunkSize) => new Model(initial, chunkSize).Run(steps), iter: 3_000);
    }

    private sealed class Model
    {
        private const int KeySpace = 16;
        private readonly SortedDictionary<string, int> _collection = new(StringComparer.Ordinal);
        private readonly List<(long Time, string Key, int? Value)> _events = [];
        private readonly Dictionary<string, int> _export = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _lastVersion = new(StringComparer.Ordinal);
        private readonly int _chunkSize;
        private readonly Queue<(string Key, int? Value, long Version)> _ready = new();
        private long _time;
        private int _delivered;
        private long _fetches;
        private long? _idleResumeTime;
        private string? _nextKey = "";
        private BackfillWindow? _window;
        private string? _chunkEnd;
        private bool _chunkDone;
        private List<BackfillRow>? _reading;
        private string? _readCursor;
        private long _readFetches;
        private int _writes;

        public Model(int[] initial, int chunkSize)
        {
            _chunkSize = chunkSize;
            foreach (var k in initial)
            {
                _collection[Key(k)] = k * 100; // history before the stream started: only backfill can bring it
            }
        }

        private static string Key(int k) => $"k{k:D2}";

        public void Run(int[] steps)
        {
            foreach (var step in steps)
            {
                if (step < 40)
                {
                    Write(step);
                }
                else if (step < 70 && _reading is null)
                {
                    Deliver();
                }
                else if (_reading is not null)
                {
                    ReadRow();
                }
                else if (_window is null && _nextKey is not null)
                {
                    StartRead();
                }
                else
                {
                    Deliver();
                }
            }
            // Drain: finish any read, deliver everything, complete the backfill.
            for (var guard = 0; guard < 100_000 && (_reading is not null || _delivered < _events.Count || _nextKey is not null || _window is not null); guard++)
            {
                if (_reading is not null)
                {
                    ReadRow();
                }
                else if (_window is null && _nextKey is not null)
                {
                    StartRead();
                }
                else
                {
                    Deliver();
                }
            }
            Assert.Equal(_collection, _export);
        }

        private void Write(int step)
        {
            var key = Key(step % KeySpace);
            _time++;
            _writes++;
            if (step % 5 == 0)
            {
                if (_collection.Remove(key))
                {
                    _events.Add((_time, key, null));
                }
            }
            else
            {
                _collection[key] = _writes;
                _events.Add((_time, key, _writes));
            }
        }

        private void StartRead()
        {
            _reading = [];
            _readCursor = _nextKey;
            _readFetches = _fetches;
        }

        /// <summary>Reads the next row as the collection is now: a chunk read spans time.</summary>
        private void ReadRow()
        {
            var next = _collection.FirstOrDefault(kv => string.CompareOrdinal(kv.Key, _readCursor) >= 0);
            if (next.Key is not null)
            {
                _reading!.Add(new BackfillRow(next.Key, Encoding.UTF8.GetBytes(next.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))));
                _readCursor = next.Key + "\0";
            }
            if (next.Key is null || _reading!.Count == _chunkSize)
            {
                _window = new BackfillWindow(_reading!, readVersion: _time, fetchesAtRead: _readFetches);
                _chunkDone = next.Key is null;
                _chunkEnd = _chunkDone ? null : _reading![^1].Key + "\0";
                _reading = null;
                if (_idleResumeTime is not null)
                {
                    _window.ObserveEmptyFetch(_readFetches, _idleResumeTime);
                }
                Flush();
            }
        }

        private void Deliver()
        {
            _fetches++;
            if (_delivered == _events.Count)
            {
                _idleResumeTime = _time;
                _window?.ObserveEmptyFetch(_fetches, _time);
                Flush();
                return;
            }
            _idleResumeTime = null;
            var (time, key, value) = _events[_delivered++];
            if (_window is { IsClosed: false } open)
            {
                if (open.ClosesAt(time))
                {
                    Flush();
                }
                else
                {
                    open.Observe(key, time);
                }
            }
            Apply(key, value, time);
        }

        private void Flush()
        {
            if (_window is not { IsClosed: true } window)
            {
                return;
            }
            foreach (var row in window.TakeRemaining())
            {
                Apply(row.Key, int.Parse(Encoding.UTF8.GetString(row.Document!.Value.Span), System.Globalization.CultureInfo.InvariantCulture), window.ReadVersion);
            }
            _nextKey = _chunkDone ? null : _chunkEnd;
            _window = null;
        }

        private void Apply(string key, int? value, long version)
        {
            if (_lastVersion.TryGetValue(key, out var last))
            {
                Assert.True(version >= last, $"key {key} went back from version {last} to {version}");
            }
            _lastVersion[key] = version;
            if (value is { } v)
            {
                _export[key] = v;
            }
            else
            {
                _export.Remove(key);
            }
        }
    }
}
