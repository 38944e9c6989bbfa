namespace SnapshotService.State;

/// <summary>A half-open interval of keys in ordinal string order: Start ≤ key &lt; End; null means unbounded on that side.</summary>
/// <param name="Start">Inclusive lower bound, or null for the start of the key space.</param>
/// <param name="End">Exclusive upper bound, or null for the end of the key space.</param>
public readonly record struct KeyRange(string? Start, string? End)
{
    /// <summary>The whole key space.</summary>
    public static KeyRange All => default;

    /// <summary>True when <paramref name="key"/> lies in the range.</summary>
    public bool Contains(string key) =>
        (Start is null || string.CompareOrdinal(key, Start) >= 0) && (End is null || string.CompareOrdinal(key, End) < 0);

    /// <summary>True when the two ranges share at least one possible key.</summary>
    public bool Overlaps(KeyRange other) =>
        (End is null || other.Start is null || string.CompareOrdinal(other.Start, End) < 0) &&
        (other.End is null || Start is null || string.CompareOrdinal(Start, other.End) < 0);
}

/// <summary>Count and digest of one range of a checkpoint at some seq (see <see cref="LiveView.DigestsAtAsync"/>).</summary>
/// <param name="Index">Position of the range in the manifest (0-based).</param>
/// <param name="Range">The keys the range covers.</param>
/// <param name="Digest">Count and order-independent digest of the live keys in the range.</param>
public sealed record RangeSummary(int Index, KeyRange Range, RangeDigest Digest);
