namespace SnapshotService.State;

/// <summary>
/// How full one file that holds live documents is: a log segment or a pack. Compaction keeps these
/// counts in each manifest so it can tell, without reading any entry, which files have become
/// sparse (few live documents among many overwritten ones) and are worth re-packing; a view pays
/// for every line of every file it touches, so sparse files are what makes a long history slow.
/// </summary>
/// <param name="Name">The file relative to the source root (<c>segments/…</c> or <c>state/packs/…</c>).</param>
/// <param name="Lines">Lines (records) in the file.</param>
/// <param name="Live">Live entries of the manifest whose document is in the file.</param>
public sealed record LiveFileStats(string Name, long Lines, long Live)
{
    /// <summary>Live documents per line, 0..1.</summary>
    public double Density => Lines <= 0 ? 1 : (double)Live / Lines;
}
