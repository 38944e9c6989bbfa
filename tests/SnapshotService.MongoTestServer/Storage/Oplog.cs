using MongoDB.Bson;

namespace SnapshotService.Testing.Mongo.Storage;

/// <summary>
/// The ordered log of writes change streams read. It can be rolled forward (oldest entries dropped) so
/// tests can make a saved resume point fall out of the window and get ChangeStreamHistoryLost (286), as a
/// real capped oplog does. Callers hold the server lock, except for awaiting <see cref="NextAppend"/>.
/// </summary>
internal sealed class Oplog(int capacity)
{
    private readonly List<OplogEntry> _entries = [];
    private TaskCompletionSource _appended = NewSignal();

    public IReadOnlyList<OplogEntry> Entries => _entries;

    /// <summary>Timestamp value of the newest entry ever dropped (0 if none): resume points before it are lost.</summary>
    public long LastDroppedValue { get; private set; }

    /// <summary>Completes on the next append; awaiting change-stream getMores wake on it.</summary>
    public Task NextAppend => _appended.Task;

    public void Append(OplogEntry entry)
    {
        _entries.Add(entry);
        if (_entries.Count > capacity)
        {
            DropFirst(_entries.Count - capacity);
        }
        var signal = _appended;
        _appended = NewSignal();
        signal.TrySetResult();
    }

    /// <summary>Index of the first entry with a timestamp greater than <paramref name="tsValue"/>.</summary>
    public int IndexAfter(long tsValue)
    {
        int lo = 0, hi = _entries.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (_entries[mid].Ts.Value <= tsValue)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    public void TruncateBefore(BsonTimestamp ts) => DropFirst(IndexAfter(ts.Value - 1));

    public void KeepLast(int count) => DropFirst(Math.Max(0, _entries.Count - Math.Max(0, count)));

    private void DropFirst(int count)
    {
        if (count <= 0)
        {
            return;
        }
        LastDroppedValue = Math.Max(LastDroppedValue, _entries[count - 1].Ts.Value);
        _entries.RemoveRange(0, count);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
