namespace SnapshotService.Restore;

/// <summary>Progress of a restore, reported after each batch written to the target.</summary>
/// <param name="Documents">View documents compared with the target so far.</param>
/// <param name="TotalDocuments">Documents in the view.</param>
/// <param name="Upserted">Documents written (missing from the target or different).</param>
/// <param name="Deleted">Target documents deleted (not in the view).</param>
/// <param name="Unchanged">Documents already equal in the target (a re-run finds most of them).</param>
/// <param name="Elapsed">Time since the restore started.</param>
public readonly record struct RestoreProgress(long Documents, long TotalDocuments, long Upserted, long Deleted, long Unchanged, TimeSpan Elapsed)
{
    /// <summary>View documents per second so far (0 at the start).</summary>
    public double DocumentsPerSecond => Elapsed > TimeSpan.Zero ? Documents / Elapsed.TotalSeconds : 0;

    /// <summary>Estimated time left at the current rate, or null before the rate is known.</summary>
    public TimeSpan? Remaining => DocumentsPerSecond > 0 ? TimeSpan.FromSeconds(Math.Max(0, TotalDocuments - Documents) / DocumentsPerSecond) : null;
}

/// <summary>The automatic check after a restore: the target compared with the view, key by key.</summary>
/// <param name="TargetDocuments">Documents in the target.</param>
/// <param name="TargetChecksum">The same digest as the view's content checksum, over the target's (key, content hash).</param>
/// <param name="ViewDocuments">Documents in the view.</param>
/// <param name="ViewChecksum">The view's content checksum.</param>
/// <param name="Missing">View keys absent from the target.</param>
/// <param name="Extra">Target keys absent from the view.</param>
/// <param name="Modified">Keys whose content hashes differ.</param>
public sealed record RestoreVerification(long TargetDocuments, string TargetChecksum, long ViewDocuments, string ViewChecksum, long Missing, long Extra, long Modified)
{
    /// <summary>True when the target equals the view.</summary>
    public bool Ok => Missing == 0 && Extra == 0 && Modified == 0 && string.Equals(TargetChecksum, ViewChecksum, StringComparison.Ordinal);
}

/// <summary>The outcome of a restore.</summary>
/// <param name="Target">The target's description.</param>
/// <param name="Progress">The final counts.</param>
/// <param name="Verification">The check of the target against the view.</param>
public sealed record RestoreResult(string Target, RestoreProgress Progress, RestoreVerification Verification);
