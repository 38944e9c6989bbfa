using SnapshotService.Api.V1;

namespace SnapshotService.Host.Tests;

/// <summary>
/// A host with simulated sources whose documents change shape mid-stream (a new field <c>v2</c>,
/// <c>version</c> turning from number to string after <see cref="SchemaChangeAfter"/>):
/// <see cref="ShapesSourceId"/> runs unthrottled for schema tests; <see cref="GuardedSourceId"/>
/// and <see cref="FlaggedSourceId"/> are slow enough (200 changes/s) that the contracts set at start are in force
/// before the change arrives.
/// </summary>
public sealed class QualityHostFixture : HostFixture
{
    public const string ShapesSourceId = "shapes";

    public const string GuardedSourceId = "guarded";

    public const string FlaggedSourceId = "flagged";

    public const long MaxChanges = 2_000;

    public const long SchemaChangeAfter = 1_000;

    /// <summary>A contract the old shape meets and the new one breaks (version must be an integer).</summary>
    public const string IntegerVersionContract = """{"type":"object","required":["id","version"],"properties":{"id":{"type":"string"},"version":{"type":"integer"}}}""";

    /// <summary>The contract fixed for the new shape.</summary>
    public const string EitherVersionContract = """{"type":"object","required":["id","version"],"properties":{"id":{"type":"string"},"version":{"type":["integer","string"]}}}""";

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings()
    {
        // Reconciliations of the flagged source read slowly (about 3 s), so progress streams have updates to show.
        yield return new($"SnapshotService:Reconciliation:SourceDocumentsPerSecondBySource:{FlaggedSourceId}", "150");
        foreach (var (id, rate) in new[] { (ShapesSourceId, "0"), (GuardedSourceId, "200"), (FlaggedSourceId, "200") })
        {
            yield return new($"SnapshotService:Sources:{id}:Kind", "simulated");
            yield return new($"SnapshotService:Sources:{id}:Simulated:Seed", "11");
            yield return new($"SnapshotService:Sources:{id}:Simulated:KeySpace", "400");
            yield return new($"SnapshotService:Sources:{id}:Simulated:DocumentBytes", "200");
            yield return new($"SnapshotService:Sources:{id}:Simulated:ChangesPerSecond", rate);
            yield return new($"SnapshotService:Sources:{id}:Simulated:MaxChanges", MaxChanges.ToString(System.Globalization.CultureInfo.InvariantCulture));
            yield return new($"SnapshotService:Sources:{id}:Simulated:SchemaChangeAfter", SchemaChangeAfter.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Starts the host and sets the contracts at once: the new shape arrives 5 s after start, well after.</summary>
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Schemas.SetContractAsync(new SetContractRequest { SourceId = GuardedSourceId, JsonSchema = IntegerVersionContract, Policy = "dead_letter" });
        await Schemas.SetContractAsync(new SetContractRequest { SourceId = FlaggedSourceId, JsonSchema = IntegerVersionContract, Policy = "flag" });
    }

    /// <summary>Waits until capture has committed the source's whole history (its position is the end, sim:MaxChanges).</summary>
    public Task<Source> WaitForCaptureToFinishAsync(string sourceId) => WaitForPositionAsync(sourceId, $"sim:{MaxChanges}");
}

[CollectionDefinition(Name)]
public sealed class QualityHostCollection : ICollectionFixture<QualityHostFixture>
{
    public const string Name = "quality-host";
}
