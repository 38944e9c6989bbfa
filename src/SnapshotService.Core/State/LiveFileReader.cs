using SnapshotService.Hashing;
using SnapshotService.Log;
using SnapshotService.Storage;

namespace SnapshotService.State;

/// <summary>
/// Reads a file that holds live documents — a log segment or a pack — checked and decompressed.
/// A segment is checked against the size and checksum in its commit record; a pack is
/// content-addressed, so it is checked against the checksum in its name.
/// </summary>
internal static class LiveFileReader
{
    /// <param name="log">The source's log.</param>
    /// <param name="head">The head the caller plans with.</param>
    /// <param name="name">The file relative to the source root.</param>
    /// <param name="seqInFile">A seq the live state places in the file (finds a segment's commit).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="InvalidDataException">The file is missing, unlisted or not valid zstd.</exception>
    /// <exception cref="SegmentChecksumException">The file differs from its recorded checksum.</exception>
    public static async Task<byte[]> ReadAsync(ExportLogReader log, LogHead head, string name, long seqInFile, CancellationToken cancellationToken)
    {
        if (StoreKeys.IsPackName(name))
        {
            return await ReadPackAsync(log, name, cancellationToken).ConfigureAwait(false);
        }
        var segment = await FindSegmentAsync(log, head, name, seqInFile, cancellationToken).ConfigureAwait(false);
        return await log.ReadSegmentAsync(segment.Commit, segment.Segment, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The commit record listing segment <paramref name="name"/>, found through a seq the segment holds.</summary>
    public static async Task<(CommitRecord Commit, SegmentRef Segment)> FindSegmentAsync(ExportLogReader log, LogHead head, string name, long seqInFile, CancellationToken cancellationToken)
    {
        var commit = await log.FindCommitContainingSeqAsync(seqInFile, head, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"Source '{log.SourceId}': no commit holds seq {seqInFile}, which the live state says is in segment '{name}'. The log was pruned or damaged; the view cannot be built.");
        var segment = commit.Segments.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal))
            ?? throw new InvalidDataException($"Source '{log.SourceId}': commit {commit.Number} holding seq {seqInFile} does not list segment '{name}' named by the live state. The live state is damaged; delete state/ and compact again.");
        return (commit, segment);
    }

    private static async Task<byte[]> ReadPackAsync(ExportLogReader log, string name, CancellationToken cancellationToken)
    {
        if (!StoreKeys.TryParsePackName(name, out _, out var checksum))
        {
            throw new InvalidDataException($"Source '{log.SourceId}': '{name}' named by the live state is not a valid pack name.");
        }
        var bytes = await log.Store.ReadAsync(StoreKeys.InSource(log.SourceId, name), cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"Source '{log.SourceId}': pack '{name}' named by the live state is missing. Was state/packs/ deleted by hand? Delete state/ and compact again (the log must still hold the documents).");
        var actual = ContentHasher.ChecksumHex(bytes);
        if (!string.Equals(actual, checksum, StringComparison.Ordinal))
        {
            throw new SegmentChecksumException(name, $"Pack '{name}' checksum mismatch: content hashes to {actual}, its name says {checksum}. The file was changed or damaged after it was written.");
        }
        return SegmentCodec.Decompress(name, bytes);
    }
}
