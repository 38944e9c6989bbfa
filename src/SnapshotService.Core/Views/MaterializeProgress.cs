namespace SnapshotService.Views;

/// <summary>Progress of a materialization, reported after each part file.</summary>
/// <param name="Documents">Documents written so far.</param>
/// <param name="TotalDocuments">Documents the view will hold (from the live-state digests at the anchor's seq).</param>
/// <param name="DocumentBytes">JSON bytes of the documents written so far.</param>
/// <param name="Parts">Part files written so far.</param>
/// <param name="Elapsed">Time since the materialization started.</param>
public readonly record struct MaterializeProgress(long Documents, long TotalDocuments, long DocumentBytes, int Parts, TimeSpan Elapsed)
{
    /// <summary>Documents per second so far (0 at the start).</summary>
    public double DocumentsPerSecond => Elapsed > TimeSpan.Zero ? Documents / Elapsed.TotalSeconds : 0;

    /// <summary>Document bytes per second so far (0 at the start).</summary>
    public double BytesPerSecond => Elapsed > TimeSpan.Zero ? DocumentBytes / Elapsed.TotalSeconds : 0;

    /// <summary>Estimated time left at the current rate, or null before the rate is known.</summary>
    public TimeSpan? Remaining => DocumentsPerSecond > 0 ? TimeSpan.FromSeconds((TotalDocuments - Documents) / DocumentsPerSecond) : null;
}
