namespace SnapshotService.Simulated;

/// <summary>
/// Settings of the deterministic simulated source (the demo source and the benchmark load
/// generator). Bound from <c>SnapshotService:Sources:{id}:Simulated</c>.
/// </summary>
public sealed class SimulatedSourceOptions
{
    /// <summary>Generator seed: the same seed gives the same history.</summary>
    public long Seed { get; set; } = 1;

    /// <summary>Number of distinct keys.</summary>
    public int KeySpace { get; set; } = 10_000;

    /// <summary>Approximate document size in bytes of JSON.</summary>
    public int DocumentBytes { get; set; } = 1024;

    /// <summary>Percent of changes after the initial fill that are deletes (0-100).</summary>
    public int DeletePercent { get; set; } = 5;

    /// <summary>Changes per second the source lets a reader take (0 = unlimited).</summary>
    public double ChangesPerSecond { get; set; } = 1000;

    /// <summary>Stop producing after this many changes (0 = never).</summary>
    public long MaxChanges { get; set; }

    /// <summary>Fault knobs for reconciliation tests.</summary>
    public SimulatedFaultOptions Faults { get; set; } = new();
}

/// <summary>Deterministic faults the simulated source can inject into its change stream.</summary>
public sealed class SimulatedFaultOptions
{
    /// <summary>Per mille of changes never emitted (0-1000).</summary>
    public int DropPerMille { get; set; }

    /// <summary>Per mille of changes emitted twice (0-1000).</summary>
    public int DuplicatePerMille { get; set; }

    /// <summary>Shuffle changes within windows of this many (0 or 1 = in order).</summary>
    public int ReorderWindow { get; set; }
}
