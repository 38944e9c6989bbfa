using System.Diagnostics.Metrics;

namespace SnapshotService.Telemetry;

/// <summary>Data-quality counters: dead letters, contract violations and schema changes.</summary>
public static class QualityMetrics
{
    /// <summary>The reason tag of <see cref="DeadLetters"/> (too_large, unparsable, contract_violation).</summary>
    public const string ReasonTag = "snapshotservice.reason";

    /// <summary>The policy tag of <see cref="ContractViolations"/> (flag, dead_letter).</summary>
    public const string PolicyTag = "snapshotservice.policy";

    /// <summary>The change tag of <see cref="SchemaChanges"/> (field_added, type_added).</summary>
    public const string ChangeTag = "snapshotservice.change";

    /// <summary>Changes set aside in <c>deadletter/</c> instead of the log.</summary>
    public static readonly Counter<long> DeadLetters = SnapshotServiceTelemetry.Meter.CreateCounter<long>(
        "snapshotservice.deadletters", "{change}", "Changes set aside in the dead-letter area, by reason; capture moved on past them.");

    /// <summary>Documents that broke their source's contract, by policy.</summary>
    public static readonly Counter<long> ContractViolations = SnapshotServiceTelemetry.Meter.CreateCounter<long>(
        "snapshotservice.contract.violations", "{document}", "Captured documents that broke the source's JSON Schema contract, by policy (flag: exported anyway; dead_letter: set aside).");

    /// <summary>Schema changes seen in captured documents: a new field path or a new type at a known path.</summary>
    public static readonly Counter<long> SchemaChanges = SnapshotServiceTelemetry.Meter.CreateCounter<long>(
        "snapshotservice.schema.changes", "{change}", "Schema changes seen in captured documents: a field path never seen before, or a new JSON type at a known path.");
}
