using SnapshotService.State;

namespace SnapshotService.Reconciliation;

/// <summary>
/// The exact per-key diff of one range: a merge walk over the source's (key, version, hash)
/// tuples and the export's live entries, both sorted by key (ordinal). Holds one element of each
/// side at a time.
/// </summary>
internal static class DriftMerge
{
    /// <summary>Yields one drift item per differing key, in key order.</summary>
    public static async IAsyncEnumerable<DriftItem> DiffAsync(int rangeIndex, IAsyncEnumerable<SourceKeyState> source, IAsyncEnumerable<LiveEntry> export)
    {
        await using var s = source.GetAsyncEnumerator();
        await using var e = export.GetAsyncEnumerator();
        var hasS = await s.MoveNextAsync().ConfigureAwait(false);
        var hasE = await e.MoveNextAsync().ConfigureAwait(false);
        while (hasS || hasE)
        {
            var order = !hasS ? 1 : !hasE ? -1 : string.CompareOrdinal(s.Current.Key, e.Current.Key);
            if (order < 0)
            {
                yield return Missing(rangeIndex, s.Current);
                hasS = await s.MoveNextAsync().ConfigureAwait(false);
            }
            else if (order > 0)
            {
                yield return Extra(rangeIndex, e.Current);
                hasE = await e.MoveNextAsync().ConfigureAwait(false);
            }
            else
            {
                if (Compare(rangeIndex, s.Current, e.Current) is { } item)
                {
                    yield return item;
                }
                hasS = await s.MoveNextAsync().ConfigureAwait(false);
                hasE = await e.MoveNextAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The drift of one key given what each side holds (null: absent), or null when they agree.</summary>
    public static DriftItem? DiffKey(int rangeIndex, SourceKeyState? source, LiveEntry? export) =>
        DiffKey(rangeIndex, source, export is null ? null : ExportKeyState.Of(export));

    /// <inheritdoc cref="DiffKey(int, SourceKeyState?, LiveEntry?)"/>
    public static DriftItem? DiffKey(int rangeIndex, SourceKeyState? source, ExportKeyState? export) => (source, export) switch
    {
        (null, null) => null,
        ({ } s, null) => Missing(rangeIndex, s),
        (null, { } e) => Extra(rangeIndex, e),
        ({ } s, { } e) => Compare(rangeIndex, s, e),
    };

    private static DriftItem Missing(int rangeIndex, SourceKeyState s) =>
        new(s.Key, DriftCategory.MissingInExport, rangeIndex, null, null, null, null, s.Version, s.ContentHash, s.PartitionKey);

    private static DriftItem Extra(int rangeIndex, LiveEntry e) => Extra(rangeIndex, ExportKeyState.Of(e));

    private static DriftItem Extra(int rangeIndex, ExportKeyState e) =>
        new(e.Key, DriftCategory.ExtraInExport, rangeIndex, e.Seq, e.SourceVersion, e.ContentHash, e.PartitionKey, null, null, null);

    private static DriftItem? Compare(int rangeIndex, SourceKeyState s, LiveEntry e) => Compare(rangeIndex, s, ExportKeyState.Of(e));

    private static DriftItem? Compare(int rangeIndex, SourceKeyState s, ExportKeyState e)
    {
        // Equal content is aligned even when versions differ (e.g. a no-op update): the digest,
        // which carries no versions, would call the range aligned too, so the two passes agree.
        if (s.ContentHash == e.ContentHash)
        {
            return null;
        }
        var category = e.SourceVersion > s.Version ? DriftCategory.VersionRegression : DriftCategory.ContentMismatch;
        return new DriftItem(e.Key, category, rangeIndex, e.Seq, e.SourceVersion, e.ContentHash, e.PartitionKey, s.Version, s.ContentHash, s.PartitionKey);
    }
}

/// <summary>What the export holds for a key, as a diff needs it (from a live entry, or from a drift item's export side).</summary>
/// <param name="Key">The key.</param>
/// <param name="Seq">Seq of the record that set it.</param>
/// <param name="SourceVersion">Source version of that record.</param>
/// <param name="ContentHash">Its content hash.</param>
/// <param name="PartitionKey">Its partition key, or null.</param>
internal readonly record struct ExportKeyState(string Key, long Seq, long SourceVersion, UInt128 ContentHash, string? PartitionKey)
{
    public static ExportKeyState Of(LiveEntry entry) => new(entry.Key, entry.Seq, entry.SourceVersion, entry.ContentHash, entry.PartitionKey);

    /// <summary>The export side of a drift item, or null when the export lacks the key.</summary>
    public static ExportKeyState? Of(DriftItem item) =>
        item is { ExportSeq: { } seq, ExportVersion: { } version, ExportContentHash: { } hash } ? new(item.Key, seq, version, hash, item.ExportPartitionKey) : null;
}
