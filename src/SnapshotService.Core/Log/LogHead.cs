using SnapshotService.Sources;

namespace SnapshotService.Log;

/// <summary>The newest durable state of a log, as known to its writer.</summary>
/// <param name="CommitNumber">The last commit number (0 for an empty log).</param>
/// <param name="LastSeq">The last committed seq (0 for an empty log).</param>
/// <param name="Position">The source position in the last commit (Start for an empty log).</param>
/// <param name="FirstSourceTime">Source time of seq 1, or null for an empty log.</param>
/// <param name="LastSourceTime">The source watermark: the newest source time among committed records, or null.</param>
/// <param name="LastCommitTime">Wall-clock time of the last commit, or null.</param>
public sealed record LogHead(
    long CommitNumber,
    long LastSeq,
    SourcePosition Position,
    DateTimeOffset? FirstSourceTime,
    DateTimeOffset? LastSourceTime,
    DateTimeOffset? LastCommitTime)
{
    /// <summary>The head of a log with no commit.</summary>
    public static LogHead Empty { get; } = new(0, 0, SourcePosition.Start, null, null, null);
}
