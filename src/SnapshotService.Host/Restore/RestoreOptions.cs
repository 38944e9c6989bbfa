namespace SnapshotService.Host.Restore;

/// <summary>Restore targets, bound from <c>SnapshotService:Restore</c>.</summary>
public sealed class RestoreOptions
{
    /// <summary>
    /// Directory under which "file:NAME" targets live (one sub-directory per NAME); unset means
    /// file targets are off and RestoreSnapshot to one is refused with FAILED_PRECONDITION.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>Returns the problems with these settings, each naming the setting.</summary>
    public IReadOnlyList<string> Validate() =>
        Directory is not null && string.IsNullOrWhiteSpace(Directory)
            ? ["SnapshotService:Restore:Directory must be a directory path or left unset (file restore targets off)."]
            : [];
}
