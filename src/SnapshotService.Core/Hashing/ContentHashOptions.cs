namespace SnapshotService.Hashing;

/// <summary>Which top-level document fields the canonical content hash leaves out.</summary>
/// <param name="ExcludedFields">Top-level field names ignored by the hash (ordinal, case-sensitive).</param>
public sealed record ContentHashOptions(IReadOnlySet<string> ExcludedFields)
{
    /// <summary>Hash every field.</summary>
    public static ContentHashOptions Default { get; } = new(new HashSet<string>(StringComparer.Ordinal));

    /// <summary>Cosmos DB system fields, which change without the user's content changing.</summary>
    public static ContentHashOptions Cosmos { get; } = new(new HashSet<string>(StringComparer.Ordinal) { "_rid", "_self", "_etag", "_attachments", "_ts", "_lsn" });
}
