using SnapshotService.Storage;

namespace SnapshotService.Log;

/// <summary>Reads a source's export log; safe to use while a writer appends.</summary>
public sealed class ExportLogReader
{
    /// <summary>Creates a reader over <paramref name="store"/> for <paramref name="sourceId"/>.</summary>
    public ExportLogReader(IObjectStore store, string sourceId)
    {
        Store = store;
        SourceId = SourceIds.Validate(sourceId);
    }

    /// <summary>The store.</summary>
    public IObjectStore Store { get; }

    /// <summary>The source.</summary>
    public string SourceId { get; }

    /// <summary>Reads the current head (checkpoint + walk), without becoming a writer.</summary>
    public Task<LogHead> ReadHeadAsync(CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Reads commit record <paramref name="number"/>, or null when it does not exist.</summary>
    public Task<CommitRecord?> ReadCommitAsync(long number, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Streams records with fromSeq ≤ seq ≤ toSeq in seq order, verifying segment checksums.</summary>
    public IAsyncEnumerable<LogRecord> ReadRecordsAsync(long fromSeq, long toSeq, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Finds the commit whose seq range holds <paramref name="seq"/> (binary search over commit numbers 1..head).</summary>
    public Task<CommitRecord?> FindCommitContainingSeqAsync(long seq, LogHead head, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Finds the last commit with records whose LastSourceTime ≤ <paramref name="time"/> (binary search), or null when none.</summary>
    public Task<CommitRecord?> FindLastCommitAtOrBeforeAsync(DateTimeOffset time, LogHead head, CancellationToken cancellationToken) => throw new NotImplementedException();
}
