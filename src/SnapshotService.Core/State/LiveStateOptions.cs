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
        if (problems.Count > 0)
        {
            throw new ArgumentException("Live-state options are invalid: " + string.Join(" ", problems));
        }
    }
}
