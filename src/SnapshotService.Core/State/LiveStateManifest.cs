using SnapshotService.Sources;

namespace SnapshotService.State;

/// <summary>
/// A live-state checkpoint: the live keys of a source after commit <see cref="CommitNumber"/>
/// (seq 1..<see cref="LastSeq"/>), split into key ranges whose files and digests it lists.
/// Stored as <c>state/manifests/{CommitNumber:D20}.json</c>, immutable once written.
/// </summary>
/// <param name="SourceId">The source.</param>
/// <param name="CommitNumber">The last commit covered (0 for the empty state before any commit).</param>
/// <param name="LastSeq">The last seq covered.</param>
/// <param name="Position">The source position in commit <see cref="CommitNumber"/>.</param>
/// <param name="WrittenAt">When the manifest was written.</param>
/// <param name="Ranges">The key ranges in key order; the first starts at null; never empty.</param>
/// <param name="Files">
/// Every file (segment or pack) the entries name, with its live count; null in manifests written
/// before packs existed (compaction then counts once by reading the entries).
/// </param>
public sealed record LiveStateManifest(
    string SourceId,
    long CommitNumber,
    long LastSeq,
    SourcePosition Position,
    DateTimeOffset WrittenAt,
    IReadOnlyList<LiveStateRange> Ranges,
    IReadOnlyList<LiveFileStats>? Files = null)
{
    /// <summary>Live keys in the whole state.</summary>
    public long Count => Ranges.Sum(r => r.Digest.Count);

    /// <summary>The state before the first commit: one empty range covering every key.</summary>
    public static LiveStateManifest Empty(string sourceId) =>
        new(sourceId, 0, 0, SourcePosition.Start, DateTimeOffset.MinValue, [new LiveStateRange(null, null, RangeDigest.Empty, 0, null)], []);

    /// <summary>The keys range <paramref name="index"/> covers: its start key up to the next range's start key.</summary>
    public KeyRange KeyRangeOf(int index) => new(Ranges[index].StartKey, index + 1 < Ranges.Count ? Ranges[index + 1].StartKey : null);

    /// <summary>The index of the range that holds <paramref name="key"/>.</summary>
    public int IndexOf(string key)
    {
        // Largest i with StartKey(i) ≤ key; StartKey(0) is null (−∞).
        int lo = 0, hi = Ranges.Count - 1;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo + 1) / 2);
            if (string.CompareOrdinal(Ranges[mid].StartKey, key) <= 0)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return lo;
    }
}

/// <summary>One key range of a <see cref="LiveStateManifest"/>.</summary>
/// <param name="StartKey">Inclusive first key of the range (null for the first range); the range ends where the next one starts.</param>
/// <param name="File">The range file relative to the source root (<c>state/ranges/…jsonl.zst</c>), or null when the range is empty.</param>
/// <param name="Digest">Count and digest of the range's entries.</param>
/// <param name="Bytes">Compressed size of the file (0 when there is none).</param>
/// <param name="Checksum">XxHash128 of the compressed file, 32 hex digits (null when there is no file).</param>
public sealed record LiveStateRange(string? StartKey, string? File, RangeDigest Digest, long Bytes, string? Checksum);
