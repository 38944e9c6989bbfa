using SnapshotService.Hashing;

namespace SnapshotService.Views;

/// <summary>Settings of a materialization.</summary>
/// <remarks>
/// Memory of a run is bounded by these settings, not by the view's size: about
/// 40 bytes × <see cref="MaxKeysPerPass"/> for the plan, plus <see cref="MemoryBudgetBytes"/> of
/// buffered documents (up to twice that in buffer capacity), plus, per core, one segment being
/// read (compressed and decompressed) and one part being encoded (its documents, about twice
/// again as encoded rows, and the encoded file). With the defaults and 1 KB documents that is
/// roughly 80 + 128 + cores × 100 MB (measured: docs/benchmarks.md). Documents beyond the budget go to spill files under
/// <see cref="SpillDirectory"/>, which the run deletes when it ends.
/// </remarks>
public sealed class ViewOptions
{
    /// <summary>
    /// Documents per part file (default 20,000). Parts are cut every this many keys in key order,
    /// so a re-run of the same anchor produces the same part names and contents whatever
    /// compaction did in between. A part is encoded in memory: ~50 MB for 20,000 1 KB documents.
    /// </summary>
    public int RowsPerPart { get; set; } = 20_000;

    /// <summary>zstd level of JSONL parts (default 1: on JSON documents levels 1-3 compress within a few percent of each other, and level 1 costs about half the CPU).</summary>
    public int CompressionLevel { get; set; } = 1;

    /// <summary>
    /// The content-hash settings the log was written with (<see cref="Log.ExportLogOptions.Hashing"/>):
    /// every document is re-hashed and compared with its recorded hash before it is published.
    /// </summary>
    public ContentHashOptions Hashing { get; set; } = ContentHashOptions.Default;

    /// <summary>
    /// Most live keys planned at once (default 2,000,000; rounded down to whole parts). A pass
    /// reads every segment its keys live in once, so views up to this size read each needed
    /// segment exactly once; larger views take ⌈keys / this⌉ passes. Costs ~40 bytes per key.
    /// </summary>
    public int MaxKeysPerPass { get; set; } = 2_000_000;

    /// <summary>
    /// Documents held in memory while parts are assembled (default 64 MiB). Segments are read in
    /// log order, so after random updates every part fills slowly until the last segment; what
    /// does not fit is appended to per-part spill files and read back when the part is encoded.
    /// </summary>
    public long MemoryBudgetBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Where spill files go (default: the system temp directory). A sub-folder per run is created and deleted.</summary>
    public string? SpillDirectory { get; set; }

    /// <summary>Segments read and parts encoded concurrently (default: the processor count).</summary>
    public int MaxParallelism { get; set; } = Environment.ProcessorCount;
}
