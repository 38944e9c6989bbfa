using SnapshotService.Log;
using SnapshotService.Storage;

namespace SnapshotService.Grains;

/// <summary>
/// Tells a fenced activation whether the writer that fenced it — the writer of the log's head
/// commit — is provably gone, so capture can resume at once instead of after
/// <see cref="Capture.CaptureOptions.FencedTakeoverAfter"/> of silence. Proof is either the
/// writer's own retirement record (its pipeline has completed; <see cref="WriterRegistry"/>) or
/// this cluster's membership declaring the writer's silo dead. Anything else — a writer this
/// cluster does not know (another cluster on the same export store: split brain), a live silo,
/// no record — is no proof, and the caller keeps waiting for silence.
/// </summary>
internal sealed class FencingWinnerCheck(IObjectStore store, string sourceId, Func<SiloAddress, SiloStatus> siloStatus)
{
    private readonly ExportLogReader _reader = new(store, sourceId);
    private readonly WriterRegistry _writers = new(store, sourceId);

    /// <summary>Reads the head and its writer; returns the head's commit number and, when its writer is gone, why.</summary>
    public async Task<(long HeadCommitNumber, string? GoneBecause)> CheckAsync(CancellationToken cancellationToken)
    {
        var head = await _reader.ReadHeadAsync(cancellationToken);
        if (await _reader.ReadCommitAsync(head.CommitNumber, cancellationToken) is not { } commit)
        {
            return (head.CommitNumber, null);
        }
        var writer = await _writers.ReadAsync(commit.WriterId, cancellationToken);
        return (head.CommitNumber, WhyGone(commit.WriterId, writer, siloStatus));
    }

    /// <summary>Why <paramref name="writerId"/> can no longer commit, or null when that is not proven.</summary>
    internal static string? WhyGone(string writerId, WriterRecord? writer, Func<SiloAddress, SiloStatus> siloStatus)
    {
        if (writer is null)
        {
            return null;
        }
        if (writer.IsRetired)
        {
            return $"writer '{writerId}' (the writer of the head commit) stopped for good at {writer.RetiredAt:O}: {writer.RetiredReason}";
        }
        if (SiloAddress.TryParse(writer.Host, out var silo) && siloStatus(silo) == SiloStatus.Dead)
        {
            return $"writer '{writerId}' (the writer of the head commit) ran on silo {silo}, which the cluster has declared dead";
        }
        return null;
    }
}
