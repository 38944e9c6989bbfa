using SnapshotService.Sources;
using SnapshotService.Storage;

namespace SnapshotService.Log;

/// <summary>
/// The writer of one source's append-only export log (format v1, docs/export-format.md).
/// Not thread-safe: one capture loop appends at a time.
/// </summary>
public sealed class ExportLog
{
    private ExportLog(IObjectStore store, string sourceId, ExportLogOptions options, LogHead head)
    {
        Store = store;
        SourceId = sourceId;
        Options = options;
        Head = head;
        WriterId = options.WriterId ?? throw new NotImplementedException();
    }

    /// <summary>The store holding the log.</summary>
    public IObjectStore Store { get; }

    /// <summary>The source this log belongs to.</summary>
    public string SourceId { get; }

    /// <summary>Writer settings.</summary>
    public ExportLogOptions Options { get; }

    /// <summary>This writer's identity, written into every commit.</summary>
    public string WriterId { get; }

    /// <summary>The newest durable state (updated after every successful append).</summary>
    public LogHead Head { get; private set; }

    /// <summary>
    /// Opens (or creates) the log: reads the newest checkpoint, then walks commit records after it
    /// until the first missing number; the last one found is the head. Orphan segments (written
    /// but never committed) are left for <see cref="CollectGarbageAsync"/>.
    /// </summary>
    public static Task<ExportLog> OpenAsync(IObjectStore store, string sourceId, ExportLogOptions options, CancellationToken cancellationToken) =>
        throw new NotImplementedException();

    /// <summary>
    /// Appends changes as one atomic commit: assigns seq Head.LastSeq+1.., hashes documents,
    /// writes the segment, then creates the commit record if absent with
    /// <paramref name="positionAfter"/>. With no changes it writes a position-only commit (when
    /// the position moved) or nothing. Throws <see cref="LogFencedException"/> when another
    /// writer took the commit number.
    /// </summary>
    public Task<CommitRecord?> AppendAsync(IReadOnlyList<SourceChange> changes, SourcePosition positionAfter, CancellationToken cancellationToken) =>
        throw new NotImplementedException();

    /// <summary>Deletes segment files no commit names and temp files older than <paramref name="minAge"/>; returns the keys removed.</summary>
    public Task<IReadOnlyList<string>> CollectGarbageAsync(TimeSpan minAge, CancellationToken cancellationToken) =>
        throw new NotImplementedException();
}
