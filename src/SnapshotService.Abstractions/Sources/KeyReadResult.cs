namespace SnapshotService.Sources;

/// <summary>What a point read of some keys found at the source.</summary>
/// <param name="Documents">The keys that exist, each with the version read (any order; absent keys are simply missing).</param>
/// <param name="ReadVersion">
/// A source version the read reflects: every change with a version at or below it is visible in
/// <paramref name="Documents"/> (the simulated offset read at, MongoDB's operationTime, …). A key
/// the read did not find was absent as of this version, so a repair that deletes it carries this
/// version and a late captured change older than it is dropped (no regression, invariant 6).
/// </param>
public sealed record KeyReadResult(IReadOnlyList<SourceDocument> Documents, long ReadVersion);
