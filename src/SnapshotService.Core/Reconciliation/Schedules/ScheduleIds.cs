namespace SnapshotService.Reconciliation.Schedules;

/// <summary>
/// Validates schedule ids. An id becomes a file name in the export layer
/// (<c>schedules/{id}.json</c>), so it uses the source-id alphabet without '.', which keeps the
/// name free of extensions and hidden-file forms.
/// </summary>
public static class ScheduleIds
{
    /// <summary>The longest allowed id.</summary>
    public const int MaxLength = 63;

    /// <summary>The rule as users read it in error messages.</summary>
    public const string Rule = "1-63 characters of lowercase letters, digits, '-' and '_'";

    /// <summary>Returns null when <paramref name="id"/> is valid, else a message naming schedule_id that says what to fix.</summary>
    public static string? Check(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return $"schedule_id is required ({Rule}).";
        }
        if (id.Length > MaxLength)
        {
            return $"schedule_id '{Truncate(id)}' is {id.Length} characters long; the limit is {MaxLength} ({Rule}).";
        }
        foreach (var c in id)
        {
            if (!IsAllowed(c))
            {
                return $"schedule_id '{Truncate(id)}' contains '{c}'; ids must be {Rule}.";
            }
        }
        return null;
    }

    private static bool IsAllowed(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_';

    private static string Truncate(string id) => id.Length <= 80 ? id : id[..80] + "…";
}
