namespace SnapshotService.Contracts;

/// <summary>What capture does with a document that breaks its source's contract.</summary>
public enum ContractPolicy
{
    /// <summary>Export it anyway; count it (metric <c>snapshotservice.contract.violations</c>) and record it in the source's events.</summary>
    Flag = 0,

    /// <summary>Set it aside in <c>deadletter/</c> with the schema errors; capture moves on.</summary>
    DeadLetter = 1,
}

/// <summary>The names of <see cref="ContractPolicy"/> in files and the API.</summary>
public static class ContractPolicies
{
    /// <summary>The snake_case name.</summary>
    public static string Name(ContractPolicy policy) => policy == ContractPolicy.DeadLetter ? "dead_letter" : "flag";

    /// <summary>Parses <c>flag</c> or <c>dead_letter</c>; false otherwise.</summary>
    public static bool TryParse(string? name, out ContractPolicy policy)
    {
        policy = name switch
        {
            "flag" => ContractPolicy.Flag,
            "dead_letter" => ContractPolicy.DeadLetter,
            _ => (ContractPolicy)(-1),
        };
        return Enum.IsDefined(policy);
    }
}
