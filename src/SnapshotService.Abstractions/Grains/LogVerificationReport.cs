namespace SnapshotService.Grains;

/// <summary>The result of re-reading a source's export log from the store (an fsck).</summary>
[GenerateSerializer, Immutable]
[Alias("SnapshotService.LogVerificationReport")]
public sealed record LogVerificationReport(
    [property: Id(0)] string SourceId,
    [property: Id(1)] long Commits,
    [property: Id(2)] long FirstSeq,
    [property: Id(3)] long LastSeq,
    [property: Id(4)] long Records,
    [property: Id(5)] IReadOnlyList<SeqGap> Gaps,
    [property: Id(6)] IReadOnlyList<long> DuplicateSeqs,
    [property: Id(7)] IReadOnlyList<string> ChecksumFailures,
    [property: Id(8)] IReadOnlyList<string> OrphanFiles,
    [property: Id(9)] IReadOnlyList<string> Problems)
{
    /// <summary>True when nothing is wrong. Orphan files alone are not a fault (a crash leaves them; GC removes them).</summary>
    public bool Ok => Gaps.Count == 0 && DuplicateSeqs.Count == 0 && ChecksumFailures.Count == 0 && Problems.Count == 0;
}

/// <summary>Missing sequence numbers First..Last.</summary>
[GenerateSerializer, Immutable]
[Alias("SnapshotService.SeqGap")]
public sealed record SeqGap([property: Id(0)] long First, [property: Id(1)] long Last);
