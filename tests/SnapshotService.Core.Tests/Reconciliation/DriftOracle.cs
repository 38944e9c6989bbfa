using SnapshotService.Hashing;
using SnapshotService.Reconciliation;
using SnapshotService.Sources;

namespace SnapshotService.Core.Tests.Reconciliation;

/// <summary>The expected drift, computed naively from two full in-memory states.</summary>
public static class DriftOracle
{
    /// <summary>Key → (version, content hash) of a state.</summary>
    public static Dictionary<string, (long Version, UInt128 Hash)> StateOf(IEnumerable<SourceDocument> documents) =>
        documents.ToDictionary(d => d.Key, d => (d.SourceVersion, ContentHasher.HashValue(d.Document.Span, ContentHashOptions.Default)), StringComparer.Ordinal);

    /// <summary>Replays changes in the order given (last one wins, as the export applies them by seq).</summary>
    public static Dictionary<string, (long Version, UInt128 Hash)> Replay(IEnumerable<SourceChange> changes)
    {
        var state = new Dictionary<string, (long, UInt128)>(StringComparer.Ordinal);
        foreach (var change in changes)
        {
            Apply(state, change);
        }
        return state;
    }

    /// <summary>Applies one change to a replayed state (hashing now: simulated documents live in a reused arena).</summary>
    public static void Apply(Dictionary<string, (long Version, UInt128 Hash)> state, SourceChange change)
    {
        if (change.Operation == ChangeOperation.Delete)
        {
            state.Remove(change.Key);
        }
        else
        {
            state[change.Key] = (change.SourceVersion, ContentHasher.HashValue(change.Document.Span, ContentHashOptions.Default));
        }
    }

    public static SortedSet<(string Key, DriftCategory Category)> Expected(
        Dictionary<string, (long Version, UInt128 Hash)> source, Dictionary<string, (long Version, UInt128 Hash)> export)
    {
        var expected = new SortedSet<(string, DriftCategory)>(Comparer<(string Key, DriftCategory Category)>.Create((a, b) => string.CompareOrdinal(a.Key, b.Key)));
        foreach (var key in source.Keys.Union(export.Keys))
        {
            var inSource = source.TryGetValue(key, out var s);
            var inExport = export.TryGetValue(key, out var e);
            if (!inExport)
            {
                expected.Add((key, DriftCategory.MissingInExport));
            }
            else if (!inSource)
            {
                expected.Add((key, DriftCategory.ExtraInExport));
            }
            else if (s.Hash != e.Hash)
            {
                expected.Add((key, e.Version > s.Version ? DriftCategory.VersionRegression : DriftCategory.ContentMismatch));
            }
        }
        return expected;
    }

    public static List<(string Key, DriftCategory Category)> Found(IEnumerable<DriftItem> items) =>
        [.. items.Select(i => (i.Key, i.Category))];
}
