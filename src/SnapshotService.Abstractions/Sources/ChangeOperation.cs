namespace SnapshotService.Sources;

/// <summary>What a change does to its key. Stored as "upsert" / "delete" in the export format.</summary>
public enum ChangeOperation
{
    /// <summary>The key now holds the change's document (insert, replace or update with full document).</summary>
    Upsert = 0,

    /// <summary>The key no longer exists.</summary>
    Delete = 1,
}

/// <summary>Where a record in the export log came from. Stored as "capture" / "backfill" / "repair".</summary>
public enum ChangeOrigin
{
    /// <summary>Read from the source's change log (change feed, change stream, simulated generator).</summary>
    Capture = 0,

    /// <summary>Read by an initial or recovery scan of the source.</summary>
    Backfill = 1,

    /// <summary>Written by reconciliation to repair drift between source and export.</summary>
    Repair = 2,
}
