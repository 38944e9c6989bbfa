namespace SnapshotService.Sources;

/// <summary>
/// The port every source adapter implements (simulated, MongoDB, Cosmos DB). Implementations are
/// used by one capture loop at a time: <see cref="ReadChangesAsync"/> is never called concurrently
/// with itself. <see cref="ScanAsync"/> and <see cref="ReadKeysAsync"/> may run concurrently with
/// each other on one instance (an incremental reconciliation overlaps its point reads with its
/// range scans), as database clients allow.
/// </summary>
public interface IChangeSource : IAsyncDisposable
{
    /// <summary>Describes the source.</summary>
    SourceDescriptor Describe();

    /// <summary>
    /// Reads up to <paramref name="maxChanges"/> changes after <paramref name="after"/>. Returns an
    /// empty batch (possibly with an advanced position) when nothing new arrived within the
    /// adapter's wait time, so callers can flush and check for cancellation.
    /// </summary>
    ValueTask<ChangeBatch> ReadChangesAsync(SourcePosition after, int maxChanges, CancellationToken cancellationToken);

    /// <summary>
    /// Streams the documents whose keys fall in <paramref name="range"/>, in ordinal key order,
    /// as they are now. Used by backfill and reconciliation; takes no lock on the source.
    /// </summary>
    IAsyncEnumerable<SourceDocument> ScanAsync(KeyRange range, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the current documents of <paramref name="keys"/> (point reads, no lock). Used by
    /// repair, which re-checks every key just before writing it, and by incremental reconciliation,
    /// which checks the keys the export saw change instead of scanning whole ranges.
    /// </summary>
    ValueTask<KeyReadResult> ReadKeysAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken);

    /// <summary>Reads the source's newest position and source time (for "as of now").</summary>
    ValueTask<SourceWatermark> GetWatermarkAsync(CancellationToken cancellationToken);
}

/// <summary>Creates the <see cref="IChangeSource"/> for a configured source id.</summary>
public interface IChangeSourceFactory
{
    /// <summary>The source ids this factory knows, in configuration order.</summary>
    IReadOnlyList<string> SourceIds { get; }

    /// <summary>The kind of the source ("simulated", …), or null when the id is not configured.</summary>
    string? KindOf(string sourceId);

    /// <summary>Creates a reader for the source. Throws <see cref="KeyNotFoundException"/> for an unknown id.</summary>
    IChangeSource Create(string sourceId);
}
