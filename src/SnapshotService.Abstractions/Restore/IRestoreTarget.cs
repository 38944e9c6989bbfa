namespace SnapshotService.Restore;

/// <summary>
/// A writable store a snapshot can be restored into (the simulated source's file target now;
/// MongoDB and Cosmos DB targets come with those sources). The restorer only needs to write
/// batches and to read the target back in key order, so it can make the target equal to a view
/// idempotently (a re-run writes only what still differs) and verify it afterwards.
/// </summary>
public interface IRestoreTarget
{
    /// <summary>A short description for messages and logs, e.g. "file:/var/restore/orders-copy".</summary>
    string Description { get; }

    /// <summary>
    /// Creates or replaces each document by key; applied when it returns (targets document their
    /// durability). A batch may be applied partly if the call throws; re-applying it is safe.
    /// </summary>
    ValueTask UpsertAsync(IReadOnlyList<RestoreDocument> documents, CancellationToken cancellationToken);

    /// <summary>Deletes each key; keys that do not exist are ignored.</summary>
    ValueTask DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken);

    /// <summary>Streams every document of the target sorted by key (ordinal), the order views are in.</summary>
    IAsyncEnumerable<RestoreDocument> ScanAsync(CancellationToken cancellationToken);
}

/// <summary>One document of a restore target.</summary>
/// <param name="Key">The document key (the source's id).</param>
/// <param name="PartitionKey">The partition key, or null when the source has none.</param>
/// <param name="Document">The document as UTF-8 JSON.</param>
public sealed record RestoreDocument(string Key, string? PartitionKey, ReadOnlyMemory<byte> Document);
