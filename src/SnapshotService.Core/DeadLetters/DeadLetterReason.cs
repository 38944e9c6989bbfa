namespace SnapshotService.DeadLetters;

/// <summary>Why a change was set aside instead of being written to the export log.</summary>
public enum DeadLetterReason
{
    /// <summary>The document is larger than <c>Capture:MaxDocumentBytes</c>.</summary>
    TooLarge = 0,

    /// <summary>The document is not a JSON object (malformed JSON, a bare value, trailing bytes).</summary>
    Unparsable = 1,

    /// <summary>The document breaks the source's JSON Schema contract and the policy is <c>dead_letter</c>.</summary>
    ContractViolation = 2,
}

/// <summary>The names of <see cref="DeadLetterReason"/> in files, metrics and the API.</summary>
public static class DeadLetterReasons
{
    /// <summary>The snake_case name of <paramref name="reason"/>.</summary>
    public static string Name(DeadLetterReason reason) => reason switch
    {
        DeadLetterReason.TooLarge => "too_large",
        DeadLetterReason.Unparsable => "unparsable",
        DeadLetterReason.ContractViolation => "contract_violation",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "Unknown dead-letter reason."),
    };

    /// <summary>Parses a snake_case name; false when unknown.</summary>
    public static bool TryParse(string? name, out DeadLetterReason reason)
    {
        foreach (var candidate in Enum.GetValues<DeadLetterReason>())
        {
            if (string.Equals(Name(candidate), name, StringComparison.Ordinal))
            {
                reason = candidate;
                return true;
            }
        }
        reason = default;
        return false;
    }
}
