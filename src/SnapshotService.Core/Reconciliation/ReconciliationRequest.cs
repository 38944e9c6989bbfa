using SnapshotService.Hashing;

namespace SnapshotService.Reconciliation;

/// <summary>What one reconciliation run compares, and how hard it may press on the source.</summary>
public sealed record ReconciliationRequest
{
    /// <summary>The export seq to compare at (the anchor of the report); usually the head, whose source position the scan should match.</summary>
    public required long Seq { get; init; }

    /// <summary>Full or incremental.</summary>
    public ReconciliationMode Mode { get; init; } = ReconciliationMode.Full;

    /// <summary>
    /// For <see cref="ReconciliationMode.Incremental"/>: the indexes of the ranges to check, as
    /// returned by <see cref="State.LiveView.DigestsAtAsync"/> at <see cref="Seq"/> (plan them with
    /// <see cref="IncrementalPlanner"/> against the same seq). Ignored for full runs.
    /// </summary>
    public IReadOnlyCollection<int> RangeIndexes { get; init; } = [];

    /// <summary>
    /// For <see cref="ReconciliationMode.Incremental"/>: keys the export changed since the last
    /// aligned run, with their export state at <see cref="Seq"/> (<see cref="DirtyKeys.CollectAsync"/>),
    /// in key order. Each one outside <see cref="RangeIndexes"/> is checked by a point read of
    /// the source instead of a range scan. Null: none.
    /// </summary>
    public IReadOnlyList<DirtyKey>? DirtyKeys { get; init; }

    /// <summary>How the export hashed documents (the source side must hash the same way, or every document drifts).</summary>
    public ContentHashOptions Hashing { get; init; } = ContentHashOptions.Default;

    /// <summary>Most source documents read per second (0 = unlimited). Bounds the run's RU / I/O cost on the source.</summary>
    public double SourceDocumentsPerSecond { get; init; }

    /// <summary>Drift items kept inline in the result (default 100); all of them go to the drift callback.</summary>
    public int InlineDriftLimit { get; init; } = 100;

    /// <summary>
    /// Most (key, version, hash) tuples of one range buffered during the digest pass so that a
    /// range whose digest differs is diffed without reading the source again. Default 0: no
    /// buffer, a drifted range is re-scanned. Measured on 1M documents without drift, buffering
    /// costs about 40% of a run (keeping every key of a 65k-key range alive until the range
    /// ends makes the GC promote them) while it only saves a second read of *drifted* ranges,
    /// which are rare. Raise it for sources where a scan is expensive and drift is common. A re-scan
    /// may see newer source state than the digest pass; repair re-checks every key anyway.
    /// </summary>
    public int MaxBufferedKeysPerRange { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming every invalid setting.</summary>
    public void ThrowIfInvalid()
    {
        var problems = new List<string>();
        if (Seq < 0)
        {
            problems.Add($"Seq must not be negative (was {Seq}).");
        }
        if (SourceDocumentsPerSecond < 0 || double.IsNaN(SourceDocumentsPerSecond) || double.IsInfinity(SourceDocumentsPerSecond))
        {
            problems.Add($"SourceDocumentsPerSecond must be 0 (unlimited) or a positive number (was {SourceDocumentsPerSecond}).");
        }
        if (InlineDriftLimit < 0)
        {
            problems.Add($"InlineDriftLimit must not be negative (was {InlineDriftLimit}).");
        }
        if (MaxBufferedKeysPerRange < 0)
        {
            problems.Add($"MaxBufferedKeysPerRange must not be negative (was {MaxBufferedKeysPerRange}).");
        }
        if (Mode == ReconciliationMode.Incremental && RangeIndexes.Any(i => i < 0))
        {
            problems.Add("RangeIndexes must not contain negative indexes.");
        }
        if (problems.Count > 0)
        {
            throw new ArgumentException("Reconciliation request is invalid: " + string.Join(" ", problems));
        }
    }
}
