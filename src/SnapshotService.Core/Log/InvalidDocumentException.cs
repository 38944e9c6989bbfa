namespace SnapshotService.Log;

/// <summary>
/// Thrown by <see cref="ExportLog.AppendAsync"/> before anything is written when an upsert's
/// document is not valid JSON. The capture loop dead-letters that change (with
/// <see cref="Exception.Message"/> as the reason) and appends the batch without it.
/// </summary>
public sealed class InvalidDocumentException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InvalidDocumentException(string sourceId, int index, string key, string reason, Exception? inner = null)
        : base($"Source '{sourceId}': change {index} of the batch (key '{key}') has an invalid document: {reason}", inner)
    {
        SourceId = sourceId;
        Index = index;
        Key = key;
        Reason = reason;
    }

    /// <summary>The source.</summary>
    public string SourceId { get; }

    /// <summary>Index of the change in the batch passed to AppendAsync.</summary>
    public int Index { get; }

    /// <summary>The document key.</summary>
    public string Key { get; }

    /// <summary>What is wrong with the document.</summary>
    public string Reason { get; }
}
