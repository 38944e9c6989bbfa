namespace SnapshotService;

/// <summary>
/// Validates source ids. Ids become path segments in the export store (directories, blob
/// prefixes), so they are restricted to a portable alphabet that cannot escape a root.
/// </summary>
public static class SourceIds
{
    /// <summary>The longest allowed id, which keeps blob names and file paths short.</summary>
    public const int MaxLength = 63;

    /// <summary>The rule as users read it in error messages.</summary>
    public const string Rule = "1-63 characters of lowercase letters, digits, '-', '_' and '.', not starting with '.'";

    /// <summary>Returns null when <paramref name="id"/> is valid, else a message that says what to fix.</summary>
    public static string? Check(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return $"source_id is required ({Rule}).";
        }
        if (id.Length > MaxLength)
        {
            return $"source_id '{Truncate(id)}' is {id.Length} characters long; the limit is {MaxLength} ({Rule}).";
        }
        if (id[0] == '.')
        {
            return $"source_id '{id}' starts with '.'; ids must be {Rule}.";
        }
        foreach (var c in id)
        {
            if (!IsAllowed(c))
            {
                return $"source_id '{Truncate(id)}' contains '{c}'; ids must be {Rule}.";
            }
        }
        return null;
    }

    /// <summary>True when <paramref name="id"/> is a valid source id.</summary>
    public static bool IsValid(string? id) => Check(id) is null;

    /// <summary>Throws <see cref="ArgumentException"/> with a precise message when the id is invalid.</summary>
    public static string Validate(string? id, string paramName = "sourceId")
    {
        var problem = Check(id);
        return problem is null ? id! : throw new ArgumentException(problem, paramName);
    }

    private static bool IsAllowed(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.';

    private static string Truncate(string id) => id.Length <= 80 ? id : id[..80] + "…";
}
