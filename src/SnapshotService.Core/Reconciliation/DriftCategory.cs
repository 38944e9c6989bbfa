namespace SnapshotService.Reconciliation;

/// <summary>How one key of the export differs from the source.</summary>
public enum DriftCategory
{
    /// <summary>The source has the key; the export's live state does not (a dropped insert or update). Repair: write the source document.</summary>
    MissingInExport = 0,

    /// <summary>The export holds the key; the source does not (a delete the change stream never showed). Repair: write a delete, after re-checking the source.</summary>
    ExtraInExport = 1,

    /// <summary>Both hold the key with different content and the export's version is not newer. Repair: write the source document.</summary>
    ContentMismatch = 2,

    /// <summary>
    /// Both hold the key with different content and the export's source version is newer than the
    /// one the scan read (the scan is stale, or the source went backwards). Never repaired by
    /// writing the older document: that would regress the key (invariant 6). Reported only.
    /// </summary>
    VersionRegression = 3,
}
