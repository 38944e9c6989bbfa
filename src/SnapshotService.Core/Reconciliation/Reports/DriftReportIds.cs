using SnapshotService.Snapshots;

namespace SnapshotService.Reconciliation.Reports;

/// <summary>
/// Drift report ids: <c>drift-</c> + the 26-character time-sortable body of <see cref="SnapshotIds"/>
/// (48 bits of Unix milliseconds + 80 random bits, Crockford base32). Ordinal order is creation
/// order, so listing reports newest first needs no index.
/// </summary>
public static class DriftReportIds
{
    /// <summary>The id prefix.</summary>
    public const string Prefix = "drift-";

    /// <summary>Length of an id.</summary>
    public const int Length = 32;

    /// <summary>The rule as users read it.</summary>
    public const string Rule = "'drift-' followed by 26 characters of 0-9 and a-z without i, l, o, u";

    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
    private const int BodyLength = 26;

    /// <summary>Creates a new id for <paramref name="now"/> (monotonic within the process, shared with snapshot ids).</summary>
    public static string NewId(DateTimeOffset now) => Prefix + SnapshotIds.NewId(now)[SnapshotIds.Prefix.Length..];

    /// <summary>Returns null when <paramref name="id"/> is a well-formed report id, else what is wrong (naming report_id).</summary>
    public static string? Check(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return $"report_id is required ({Rule}).";
        }
        if (id.Length != Length || !id.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return $"report_id '{(id.Length <= 60 ? id : id[..60] + "…")}' is malformed; ids are {Rule}, e.g. 'drift-01jh5x0m6d7h3a9c2q4r8t5v6w'.";
        }
        for (var i = Prefix.Length; i < id.Length; i++)
        {
            if (!Alphabet.Contains(id[i], StringComparison.Ordinal))
            {
                return $"report_id '{id}' contains '{id[i]}'; ids are {Rule}.";
            }
        }
        return id[Prefix.Length] > '7' ? $"report_id '{id}' is out of range (its first character after 'drift-' is at most '7')." : null;
    }

    /// <summary>True when <paramref name="id"/> is well formed.</summary>
    public static bool IsValid(string? id) => Check(id) is null;

    /// <summary>The creation time encoded in a well-formed id (millisecond precision).</summary>
    public static DateTimeOffset TimeOf(string id) => SnapshotIds.TimeOf(SnapshotIds.Prefix + id.AsSpan(Prefix.Length, BodyLength).ToString());
}
