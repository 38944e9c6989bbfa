using SnapshotService.Hashing;

namespace SnapshotService.Log;

/// <summary>Settings of one source's export log writer.</summary>
public sealed class ExportLogOptions
{
    /// <summary>Write a checkpoint every this many commits, so opening a log replays at most this many commit records.</summary>
    public int CheckpointEveryCommits { get; set; } = 64;

    /// <summary>zstd level for segments. 1 is the throughput sweet spot on 2 cores; higher levels trade CPU for ~10-20% smaller segments.</summary>
    public int CompressionLevel { get; set; } = 1;

    /// <summary>How content hashes are computed (excluded fields).</summary>
    public ContentHashOptions Hashing { get; set; } = ContentHashOptions.Default;

    /// <summary>
    /// Identity written into every commit record; defaults to machine name + process id + a random
    /// suffix. Lowercased and limited to <c>[a-z0-9._-]</c> (see <see cref="WriterIds.Sanitize"/>).
    /// Give each activation its own id: fencing tells writers apart by it.
    /// </summary>
    public string? WriterId { get; set; }
}
