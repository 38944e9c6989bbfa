using SnapshotService.Sources;

namespace SnapshotService.Log;

/// <summary>
/// One commit of a source's export log: <c>log/{Number:D20}.json</c>, created if absent. Its
/// existence is what makes the changes it names, and <see cref="Position"/>, durable.
/// </summary>
/// <param name="Number">Commit number, 1.. with no gap.</param>
/// <param name="FirstSeq">First sequence number in this commit (for a position-only commit: the previous LastSeq + 1, see remarks).</param>
/// <param name="LastSeq">Last sequence number in this commit (equals the previous commit's LastSeq for a position-only commit).</param>
/// <param name="Segments">The segment files holding the records, in seq order (empty for a position-only commit).</param>
/// <param name="Position">The source position after the last change in this commit.</param>
/// <param name="FirstSourceTime">Source time of the first record (null for a position-only commit).</param>
/// <param name="LastSourceTime">
/// The source watermark after this commit: the newest source time among records 1..LastSeq
/// (for a position-only commit, the previous commit's). Never decreases from one commit to the
/// next, so "the log as of time T" is a binary search over commit numbers.
/// </param>
/// <param name="WriterId">The writer that created this commit.</param>
/// <param name="CommittedAt">Wall-clock time of the commit.</param>
/// <param name="Stats">Counts and sizes.</param>
/// <remarks>
/// A position-only commit (no records, Position moved) has FirstSeq = LastSeq + 1 of the previous
/// commit and LastSeq = the previous LastSeq, i.e. an empty seq range.
/// </remarks>
public sealed record CommitRecord(
    long Number,
    long FirstSeq,
    long LastSeq,
    IReadOnlyList<SegmentRef> Segments,
    SourcePosition Position,
    DateTimeOffset? FirstSourceTime,
    DateTimeOffset? LastSourceTime,
    string WriterId,
    DateTimeOffset CommittedAt,
    CommitStats Stats)
{
    /// <summary>Number of records in this commit.</summary>
    public long RecordCount => LastSeq - FirstSeq + 1;
}

/// <summary>A segment file named by a commit record.</summary>
/// <param name="Name">Key relative to the source root, e.g. <c>segments/00000000000000000042-w1a2b3.jsonl.zst</c>.</param>
/// <param name="FirstSeq">First record's seq.</param>
/// <param name="LastSeq">Last record's seq.</param>
/// <param name="Bytes">Compressed size.</param>
/// <param name="Checksum">XxHash128 of the compressed bytes, 32 lowercase hex digits.</param>
public sealed record SegmentRef(string Name, long FirstSeq, long LastSeq, long Bytes, string Checksum);

/// <summary>Commit statistics.</summary>
/// <param name="Upserts">Upsert records.</param>
/// <param name="Deletes">Delete records.</param>
/// <param name="UncompressedBytes">JSON-lines bytes before compression.</param>
/// <param name="CompressedBytes">Bytes written to segments.</param>
public sealed record CommitStats(long Upserts, long Deletes, long UncompressedBytes, long CompressedBytes);
