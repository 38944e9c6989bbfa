using SnapshotService.Simulated;

namespace SnapshotService.Host.Sources;

/// <summary>One configured source: <c>SnapshotService:Sources:{id}</c>.</summary>
public sealed class SourceSettings
{
    /// <summary>The adapter: only <c>simulated</c> in this host build.</summary>
    public string? Kind { get; set; }

    /// <summary>Generator settings when <see cref="Kind"/> is <c>simulated</c>.</summary>
    public SimulatedSourceOptions Simulated { get; set; } = new();
}

/// <summary>All configured sources, keyed by source id (<c>SnapshotService:Sources</c>).</summary>
public sealed class SourcesOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "SnapshotService:Sources";

    /// <summary>The source kinds this host can create.</summary>
    public const string SimulatedKind = "simulated";

    /// <summary>Sources by id.</summary>
    public Dictionary<string, SourceSettings> Sources { get; } = new(StringComparer.Ordinal);
}
