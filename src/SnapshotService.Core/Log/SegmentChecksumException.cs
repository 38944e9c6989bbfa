namespace SnapshotService.Log;

/// <summary>
/// A segment's bytes do not match the size or checksum its commit record declares: it was changed or damaged after commit.
/// (An <see cref="IOException"/>: <see cref="InvalidDataException"/> is sealed.)
/// </summary>
public sealed class SegmentChecksumException(string segmentName, string message) : IOException(message)
{
    /// <summary>The segment name relative to the source root.</summary>
    public string SegmentName { get; } = segmentName;
}
