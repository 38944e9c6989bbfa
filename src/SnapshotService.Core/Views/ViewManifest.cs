namespace SnapshotService.Views;

/// <summary>
/// A published view: the live documents of snapshot <see cref="SnapshotId"/> (source state after
/// seq 1..<see cref="Seq"/>) in part files. Stored as <c>views/{snapshotId}/{format}/manifest.json</c>,
/// written last and only if absent: a view without a manifest is not a view (yet), so readers and
/// the API never see a partial one.
/// </summary>
/// <param name="SourceId">The source.</param>
/// <param name="SnapshotId">The anchor's id.</param>
/// <param name="Seq">The anchor's seq.</param>
/// <param name="Format">The part file format.</param>
/// <param name="MaterializedAt">When this manifest was written (the only field that differs between two materializations of one anchor).</param>
/// <param name="Parts">The part files in key order (part i holds keys before part i+1's).</param>
/// <param name="Rows">Live documents in the view.</param>
/// <param name="DocumentBytes">Total size of the documents' JSON text.</param>
/// <param name="ContentChecksum">
/// 32 hex digits: the <see cref="State.RangeDigest"/> sum over every (key, content hash) of the
/// view. It depends only on the content — not on part boundaries, compression, format or time —
/// and equals the sum of the reconciliation digests of the source at <see cref="Seq"/>.
/// </param>
public sealed record ViewManifest(
    string SourceId,
    string SnapshotId,
    long Seq,
    ViewFormat Format,
    DateTimeOffset MaterializedAt,
    IReadOnlyList<ViewPart> Parts,
    long Rows,
    long DocumentBytes,
    string ContentChecksum)
{
    /// <summary>Total size of the part files.</summary>
    public long Bytes => Parts.Sum(p => p.Bytes);
}

/// <summary>One part file of a view.</summary>
/// <param name="Name">File name inside the view folder (<c>part-00000.jsonl.zst</c>).</param>
/// <param name="Rows">Documents in the part.</param>
/// <param name="Bytes">File size.</param>
/// <param name="Checksum">XxHash128 of the file, 32 hex digits.</param>
/// <param name="FirstKey">The part's first key.</param>
/// <param name="LastKey">The part's last key.</param>
public sealed record ViewPart(string Name, long Rows, long Bytes, string Checksum, string FirstKey, string LastKey);
