namespace SnapshotService.Host.Auth;

/// <summary>The two roles: readers see everything; operators may also change things.</summary>
public static class Roles
{
    /// <summary>May call every read RPC.</summary>
    public const string Reader = "reader";

    /// <summary>May also create/delete snapshots, materialize/restore, reconcile, and change schedules, sources, contracts and dead letters.</summary>
    public const string Operator = "operator";

    /// <summary>True for a known role name.</summary>
    public static bool IsKnown(string? role) => role is Reader or Operator;

    /// <summary>True when a caller with <paramref name="held"/> may call an RPC that needs <paramref name="needed"/>.</summary>
    public static bool Satisfies(IEnumerable<string> held, string needed) =>
        held.Contains(needed, StringComparer.Ordinal) || (needed == Reader && held.Contains(Operator, StringComparer.Ordinal));
}
