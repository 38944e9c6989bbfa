using SnapshotService.Hashing;

namespace SnapshotService.Views;

/// <summary>Settings of a materialization.</summary>
public sealed class ViewOptions
{
    /// <summary>
    /// Documents per part file (default 20,000). Memory holds two parts' documents (one being
    /// fetched while the other is encoded) plus one encoded part: ~60 MB for 1 KB documents. Parts
    /// are cut every this many keys in
    /// key order, so a re-run of the same anchor produces the same part names and contents
    /// whatever compaction did in between.
    /// </summary>
    public int RowsPerPart { get; set; } = 20_000;

    /// <summary>zstd level of JSONL parts (default 3: fast, and the part is read many times more than written).</summary>
    public int CompressionLevel { get; set; } = 3;

    /// <summary>
    /// The content-hash settings the log was written with (<see cref="Log.ExportLogOptions.Hashing"/>):
    /// every document is re-hashed and compared with its recorded hash before it is published.
    /// </summary>
    public ContentHashOptions Hashing { get; set; } = ContentHashOptions.Default;
}
