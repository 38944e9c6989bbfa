namespace SnapshotService.Grains;

/// <summary>What happened to one dead letter on retry.</summary>
public enum DeadLetterRetryOutcome
{
    /// <summary>It now passes and was written to the log; the dead letter is gone.</summary>
    Written = 0,

    /// <summary>A newer version of the key was captured since; nothing written, the dead letter is gone.</summary>
    Superseded = 1,

    /// <summary>It still fails (the detail says why); the dead letter stays.</summary>
    StillFailing = 2,

    /// <summary>No dead letter has that id.</summary>
    NotFound = 3,
}

/// <summary>The outcome of retrying one dead letter.</summary>
/// <param name="Id">The dead letter's id.</param>
/// <param name="Key">The document key ("" when not found).</param>
/// <param name="Outcome">What happened.</param>
/// <param name="Detail">Why, in words.</param>
[GenerateSerializer, Immutable]
[Alias("SnapshotService.DeadLetterRetryResult")]
public sealed record DeadLetterRetryResult(
    [property: Id(0)] string Id,
    [property: Id(1)] string Key,
    [property: Id(2)] DeadLetterRetryOutcome Outcome,
    [property: Id(3)] string Detail);

/// <summary>Sets (or, with a null schema, removes) a source's contract.</summary>
/// <param name="SchemaJson">The JSON Schema, or null to remove the contract.</param>
/// <param name="Policy"><c>flag</c> or <c>dead_letter</c>.</param>
[GenerateSerializer, Immutable]
[Alias("SnapshotService.SetContractCommand")]
public sealed record SetContractCommand(
    [property: Id(0)] string? SchemaJson,
    [property: Id(1)] string Policy);
