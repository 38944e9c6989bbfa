namespace SnapshotService.State;

/// <summary>Settings of live-state compaction.</summary>
public sealed class LiveStateOptions
{
    /// <summary>
    /// Most entries one range file holds (default 16,384: 1M keys make 60–120 ranges, fine enough
    /// for an incremental run's rotating slice to stay a few percent of the key space). A range that grows past it is split at
    /// its median. Memory of compaction and of reading a view is bounded by one range plus the
    /// log tail, so this is the knob for that bound; it is also the granularity at which
    /// reconciliation compares digests and re-scans the source.
    /// </summary>
    public int MaxKeysPerRange { get; set; } = 16_384;

    /// <summary>Manifests kept by <see cref="LiveStateGarbageCollector"/> (default 3; at least 1).</summary>
    public int KeepManifests { get; set; } = 3;

    /// <summary>zstd level of range files (default 3).</summary>
    public int CompressionLevel { get; set; } = 3;

    /// <summary>Throws <see cref="ArgumentException"/> naming every invalid setting.</summary>
    /// <summary>
    /// A file whose live documents are fewer than this fraction of its lines is sparse: compaction
    /// copies its live lines into dense pack files, so a view reads about one line per live key
    /// instead of whole segments of overwritten ones. Lower values re-pack less often (less
    /// background I/O) and leave views reading more; 0 turns re-packing off. The default 0.35 is a
    /// balance: a view reads at most ~2.9 lines per live key (decompression is a small share of a
    /// view's cost, so that keeps a long history's view within ~1.2× of a short one's), while
    /// compaction copies about 0.35/(1−0.35) ≈ 0.54 lines per update (at 0.6 it copied 1.5, which
    /// tripled compaction's cost in the materialize benchmark).
    /// </summary>
    public double RepackBelowDensity { get; set; } = 0.35;

    /// <summary>
    /// Re-pack only when the sparse files hold at least this many lines together, so the work comes
    /// in batches worth a pass over the live state's entries (which re-packing needs).
    /// </summary>
    public long RepackMinLines { get; set; } = 100_000;

    /// <summary>Uncompressed size at which a pack file is cut (the same order as a log segment).</summary>
    public int PackTargetBytes { get; set; } = 8 * 1024 * 1024;

    public void ThrowIfInvalid()
    {
        var problems = new List<string>();
        if (MaxKeysPerRange < 2)
        {
            problems.Add($"MaxKeysPerRange must be at least 2 (was {MaxKeysPerRange}).");
        }
        if (KeepManifests < 1)
        {
            problems.Add($"KeepManifests must be at least 1 (was {KeepManifests}); the newest manifest is the checkpoint in force.");
        }
        if (CompressionLevel is < 1 or > 22)
        {
            problems.Add($"CompressionLevel must be 1..22 (was {CompressionLevel}).");
        }
        if (RepackBelowDensity is < 0 or > 1 || double.IsNaN(RepackBelowDensity))
        {
            problems.Add($"RepackBelowDensity must be 0..1 (was {RepackBelowDensity}); 0 turns re-packing off.");
        }
        if (RepackMinLines < 1)
        {
            problems.Add($"RepackMinLines must be at least 1 (was {RepackMinLines}).");
        }
        if (PackTargetBytes < 64 * 1024)
        {
            problems.Add($"PackTargetBytes must be at least 65536 (was {PackTargetBytes}).");
        }
        if (problems.Count > 0)
        {
            throw new ArgumentException("Live-state options are invalid: " + string.Join(" ", problems));
        }
    }
}
