using SnapshotService.Grains;
using SnapshotService.Log;
using SnapshotService.Storage;

namespace SnapshotService.Snapshots;

/// <summary>Creates, reads and lists immutable anchors under <c>sources/{id}/snapshots/</c>.</summary>
public sealed class SnapshotAnchorStore
{
    /// <summary>Creates the store.</summary>
    public SnapshotAnchorStore(IObjectStore store) => Store = store;

    /// <summary>The object store.</summary>
    public IObjectStore Store { get; }

    /// <summary>
    /// Resolves <paramref name="command"/> against the log (latest = head.LastSeq; at seq; at time)
    /// and writes the anchor file if absent. Refusals are <see cref="Errors.SnapshotServiceException"/>
    /// naming the field: at_sequence 0 or beyond head → InvalidArgument; at_time before the first
    /// commit → FailedPrecondition; empty log → FailedPrecondition; label over 200 chars → InvalidArgument.
    /// </summary>
    public Task<SnapshotAnchor> CreateAsync(string sourceId, CreateSnapshotCommand command, LogHead head, ExportLogReader reader, CancellationToken cancellationToken) =>
        throw new NotImplementedException();

    /// <summary>Reads one anchor; throws NotFound (naming snapshot_id) when it does not exist, InvalidArgument when the id is malformed.</summary>
    public Task<SnapshotAnchor> GetAsync(string sourceId, string snapshotId, CancellationToken cancellationToken) =>
        throw new NotImplementedException();

    /// <summary>Lists anchors newest first; page_size 1..1000 (0 = 100); the token is opaque. Bad values → InvalidArgument naming the field.</summary>
    public Task<(IReadOnlyList<SnapshotAnchor> Anchors, string? NextPageToken)> ListAsync(string sourceId, int pageSize, string? pageToken, CancellationToken cancellationToken) =>
        throw new NotImplementedException();
}
