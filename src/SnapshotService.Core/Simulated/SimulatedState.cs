using SnapshotService.Sources;

namespace SnapshotService.Simulated;

/// <summary>
/// The live keys of a <see cref="SimulatedHistory"/> after its first <see cref="Position"/>
/// underlying changes: for each key, the version (change position) of its last upsert, or absent.
/// Documents are regenerated from (seed, version) on demand, so the state costs 8 bytes per key of
/// KeySpace (80 MB for 10 M keys) however large the documents are. Not thread-safe.
/// </summary>
public sealed class SimulatedState
{
    private readonly SimulatedHistory _history;

    // _versions[k] = version of key k's last upsert, 0 when the key is absent. Index 0 is unused.
    private readonly long[] _versions;

    internal SimulatedState(SimulatedHistory history)
    {
        _history = history;
        _versions = new long[history.Options.KeySpace + 1];
    }

    /// <summary>Number of underlying changes applied.</summary>
    public long Position { get; private set; }

    /// <summary>Number of live keys.</summary>
    public int LiveCount { get; private set; }

    /// <summary>
    /// Applies changes Position+1..<paramref name="n"/>. Moving backwards is refused: build a new
    /// state with <see cref="SimulatedHistory.StateAfter"/> instead.
    /// </summary>
    public void AdvanceTo(long n)
    {
        if (n < Position)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, $"The state is at {Position}; it only moves forward.");
        }
        if (n > _history.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, $"The history has only {_history.Length} changes.");
        }
        for (var i = Position + 1; i <= n; i++)
        {
            var change = _history.InfoAt(i);
            ref var version = ref _versions[change.KeyNumber];
            if (change.Operation == ChangeOperation.Upsert)
            {
                LiveCount += version == 0 ? 1 : 0;
                version = i;
            }
            else
            {
                LiveCount -= version == 0 ? 0 : 1;
                version = 0;
            }
        }
        Position = n;
    }

    /// <summary>The version (change position) of the key's current document, or null when the key is absent.</summary>
    public long? VersionOf(string key)
    {
        var number = _history.KeyNumberOf(key);
        return number is null || _versions[number.Value] == 0 ? null : _versions[number.Value];
    }

    /// <summary>The key's current document, or null when the key is absent.</summary>
    public SourceDocument? Find(string key)
    {
        var number = _history.KeyNumberOf(key);
        return number is null || _versions[number.Value] == 0 ? null : DocumentOf(number.Value, _versions[number.Value]);
    }

    /// <summary>The live (key number, version) pairs whose keys fall in <paramref name="range"/>, in ordinal key order.</summary>
    public IReadOnlyList<(int KeyNumber, long Version)> LiveVersions(KeyRange range)
    {
        var (first, last) = KeyNumbersIn(range);
        var live = new List<(int, long)>();
        for (var k = first; k <= last; k++)
        {
            if (_versions[k] != 0)
            {
                live.Add((k, _versions[k]));
            }
        }
        return live;
    }

    /// <summary>
    /// Copies into <paramref name="chunk"/> (cleared first) up to <paramref name="max"/> live (key
    /// number, version) pairs of <paramref name="range"/>, starting at key number
    /// <paramref name="from"/> (0 = the range's start), in key order. Returns the key number to
    /// continue from, or −1 when the range is exhausted.
    /// </summary>
    public int LiveVersions(KeyRange range, int from, int max, List<(int KeyNumber, long Version)> chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        chunk.Clear();
        var (first, last) = KeyNumbersIn(range);
        for (var k = Math.Max(first, from); k <= last; k++)
        {
            if (_versions[k] != 0)
            {
                if (chunk.Count == max)
                {
                    return k;
                }
                chunk.Add((k, _versions[k]));
            }
        }
        return -1;
    }

    /// <summary>The live documents whose keys fall in <paramref name="range"/>, in ordinal key order, generated lazily.</summary>
    public IEnumerable<SourceDocument> Documents(KeyRange range)
    {
        foreach (var (key, version) in LiveVersions(range))
        {
            yield return DocumentOf(key, version);
        }
    }

    /// <summary>The document key number <paramref name="keyNumber"/> holds when its last upsert was change <paramref name="version"/>.</summary>
    public SourceDocument DocumentOf(int keyNumber, long version) =>
        new(_history.KeyOf(keyNumber), _history.PartitionKeyOf(keyNumber), version, _history.DocumentOf(version, keyNumber));

    /// <summary>
    /// The first and last key numbers inside <paramref name="range"/>. Keys are fixed-width, so the
    /// key string grows with the number and a binary search on the formatted key finds the bounds
    /// in O(log KeySpace) for any range bounds, including strings that are not keys.
    /// </summary>
    private (int First, int Last) KeyNumbersIn(KeyRange range)
    {
        var keySpace = _history.Options.KeySpace;
        var first = range.StartInclusive is null ? 1 : FirstAtOrAfter(range.StartInclusive, keySpace);
        var last = range.EndExclusive is null ? keySpace : FirstAtOrAfter(range.EndExclusive, keySpace) - 1;
        return (first, last);
    }

    private int FirstAtOrAfter(string bound, int keySpace)
    {
        int low = 1, high = keySpace + 1;
        while (low < high)
        {
            var mid = low + ((high - low) / 2);
            if (string.CompareOrdinal(_history.KeyOf(mid), bound) >= 0)
            {
                high = mid;
            }
            else
            {
                low = mid + 1;
            }
        }
        return low;
    }
}
