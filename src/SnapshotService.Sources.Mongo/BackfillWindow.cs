namespace SnapshotService.Sources.Mongo;

/// <summary>One row a backfill chunk read: a document, or (for a keyed backfill) the fact that a key is absent.</summary>
/// <param name="Key">The export key.</param>
/// <param name="Document">The document's JSON, or null when the key was absent at the read.</param>
public sealed record BackfillRow(string Key, ReadOnlyMemory<byte>? Document);

/// <summary>
/// The watermark merge of one backfill chunk with the change stream (Netflix DBLog, with the read's
/// operationTime as the high watermark instead of a watermark write, so the adapter needs no write
/// access). Pure: no I/O, no clock.
/// </summary>
/// <remarks>
/// <para><b>Protocol.</b> The adapter reads a chunk (an <c>_id</c> range, or a list of keys) with
/// majority read concern; the read reflects every change up to its operationTime
/// <see cref="ReadVersion"/>. From then on each stream event the adapter processes goes through
/// <see cref="ClosesAt"/> / <see cref="Observe"/>:</para>
/// <list type="bullet">
/// <item>an event with clusterTime ≤ <see cref="ReadVersion"/> is inside the chunk's window: the stream
/// itself carries that key's change, at least as new as the row, so the row is dropped;</item>
/// <item>the first event with clusterTime &gt; <see cref="ReadVersion"/>, or an empty stream batch fetched
/// after the read or reaching its time (<see cref="ObserveEmptyFetch"/>), closes the window: the
/// remaining rows are emitted right there, before that event.</item>
/// </list>
/// <para><b>Why nothing is lost.</b> Take a key k of the chunk. Stream events of k with clusterTime
/// ≤ the read were either emitted before the read began (the row is newer or equal, and follows them)
/// or processed while the window was open (the row is dropped and the stream's own, newer change
/// stands). Events after the read come after the row. So the log applies k's changes in clusterTime
/// order, with the row standing for "k as of the read" exactly when no in-window event does, and a
/// key's versions never go backwards in log order.</para>
/// </remarks>
public sealed class BackfillWindow
{
    private readonly SortedDictionary<string, BackfillRow> _rows;
    private readonly long _fetchesAtRead;

    /// <summary>Opens the window of a chunk read.</summary>
    /// <param name="rows">The rows the chunk read (one per key).</param>
    /// <param name="readVersion">The read's operationTime as a version (<see cref="ClusterTime"/>).</param>
    /// <param name="fetchesAtRead">How many stream batches the adapter had fetched when the read began (see <see cref="ObserveEmptyFetch"/>).</param>
    public BackfillWindow(IEnumerable<BackfillRow> rows, long readVersion, long fetchesAtRead)
    {
        ArgumentNullException.ThrowIfNull(rows);
        _rows = new SortedDictionary<string, BackfillRow>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            _rows[row.Key] = row;
        }
        ReadVersion = readVersion;
        _fetchesAtRead = fetchesAtRead;
        RowsRead = _rows.Count;
    }

    /// <summary>The chunk read's operationTime: the window's high watermark.</summary>
    public long ReadVersion { get; }

    /// <summary>Rows the chunk read.</summary>
    public int RowsRead { get; }

    /// <summary>Rows dropped because the stream carried their key inside the window.</summary>
    public int Dropped { get; private set; }

    /// <summary>True once the stream is past the read: the remaining rows may be emitted.</summary>
    public bool IsClosed { get; private set; }

    /// <summary>
    /// True when a stream event at <paramref name="clusterTime"/> lies after the window: the caller
    /// emits <see cref="TakeRemaining"/> before that event. Marks the window closed.
    /// </summary>
    public bool ClosesAt(long clusterTime)
    {
        if (clusterTime > ReadVersion)
        {
            IsClosed = true;
        }
        return IsClosed;
    }

    /// <summary>Notes a stream event inside the window: a row of the same key is dropped.</summary>
    public void Observe(string key, long clusterTime)
    {
        if (IsClosed || clusterTime > ReadVersion)
        {
            throw new InvalidOperationException($"event at {clusterTime} is outside the window ending at {ReadVersion}; call ClosesAt first.");
        }
        if (_rows.Remove(key))
        {
            Dropped++;
        }
    }

    /// <summary>
    /// Notes a stream batch that came back empty: <paramref name="fetchNumber"/> is the adapter's
    /// running count of fetched batches, <paramref name="resumePointTime"/> the time of that batch's
    /// postBatchResumeToken when known. The window closes when the batch was fetched after the read
    /// (the stream scanned past every majority-committed change, which includes all the read saw),
    /// or when its resume point is at or after the read (everything up to the read was delivered;
    /// the caller must have processed every event it fetched before).
    /// </summary>
    public void ObserveEmptyFetch(long fetchNumber, long? resumePointTime)
    {
        if (fetchNumber > _fetchesAtRead || resumePointTime >= ReadVersion)
        {
            IsClosed = true;
        }
    }

    /// <summary>The rows left to emit, in ordinal key order (the window must be closed).</summary>
    public IReadOnlyList<BackfillRow> TakeRemaining()
    {
        if (!IsClosed)
        {
            throw new InvalidOperationException("the window is still open: the stream has not passed the chunk read yet.");
        }
        var rows = _rows.Values.ToList();
        _rows.Clear();
        return rows;
    }
}
