using SnapshotService.Grains;
using SnapshotService.Storage;

namespace SnapshotService.Log;

/// <summary>Re-reads a whole export log from the store and reports what is wrong with it (an fsck).</summary>
public static class LogVerifier
{
    /// <summary>Checks commits 1..N, every segment checksum, every record's seq (gaps, duplicates) and lists orphan files.</summary>
    public static Task<LogVerificationReport> VerifyAsync(IObjectStore store, string sourceId, CancellationToken cancellationToken) =>
        throw new NotImplementedException();
}
