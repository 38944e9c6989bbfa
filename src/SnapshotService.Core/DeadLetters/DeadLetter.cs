using SnapshotService.Sources;

namespace SnapshotService.DeadLetters;

/// <summary>
/// A change that capture (or a repair) could not write, kept with everything needed to retry it:
/// the raw payload as read, the key and source version, and the log position it was read at.
/// </summary>
/// <param name="Id">Stable id: the same change dead-lettered twice (a crash before the commit, a re-read) gets the same id.</param>
/// <param name="SourceId">The source.</param>
/// <param name="Key">The document key.</param>
/// <param name="PartitionKey">The partition key, or null.</param>
/// <param name="SourceVersion">The change's source version (a retry never overwrites a newer captured version).</param>
/// <param name="SourceTime">When the change happened at the source.</param>
/// <param name="Origin">capture, backfill or repair.</param>
/// <param name="Reason">Why it was set aside.</param>
/// <param name="Detail">What exactly is wrong, for the user (e.g. the schema errors or the size).</param>
/// <param name="LogSeq">The export log's last seq when it was set aside; a retry skips it if the key was captured newer since.</param>
/// <param name="Position">The source position of the commit that went past it.</param>
/// <param name="DeadLetteredAt">When it was set aside.</param>
/// <param name="Payload">The raw document bytes as read from the source.</param>
public sealed record DeadLetter(
    string Id,
    string SourceId,
    string Key,
    string? PartitionKey,
    long SourceVersion,
    DateTimeOffset SourceTime,
    ChangeOrigin Origin,
    DeadLetterReason Reason,
    string Detail,
    long LogSeq,
    SourcePosition Position,
    DateTimeOffset DeadLetteredAt,
    ReadOnlyMemory<byte> Payload);
