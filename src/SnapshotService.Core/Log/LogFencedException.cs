namespace SnapshotService.Log;

/// <summary>
/// Thrown by <see cref="ExportLog.AppendAsync"/> when another writer created the commit number
/// this writer wanted: this writer lost ownership of the log and must stop (it never retries).
/// </summary>
public sealed class LogFencedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LogFencedException(string sourceId, long commitNumber, string? winnerWriterId)
        : base($"Source '{sourceId}': commit {commitNumber} was already written by writer '{winnerWriterId ?? "unknown"}'; this writer is fenced off and stops. Another process or activation owns this source's log.")
    {
        SourceId = sourceId;
        CommitNumber = commitNumber;
        WinnerWriterId = winnerWriterId;
    }

    /// <summary>The source whose log was contended.</summary>
    public string SourceId { get; }

    /// <summary>The commit number this writer failed to create.</summary>
    public long CommitNumber { get; }

    /// <summary>The writer id found in the existing commit record, when readable.</summary>
    public string? WinnerWriterId { get; }
}
