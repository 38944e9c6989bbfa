using SnapshotService.DeadLetters;
using SnapshotService.Hashing;
using SnapshotService.Log;
using SnapshotService.Simulated;
using SnapshotService.Sources;
using SnapshotService.State;
using SnapshotService.Storage;

namespace SnapshotService.Scenarios;

/// <summary>
/// Compares a finished export with the simulated source's true final state: every live source
/// document must be in the export with the same content, or be explained by a dead letter of
/// that exact version; the export must hold nothing else. What is neither counts as lost.
/// The database scenarios compare with what the driver/SDK reads instead (<see cref="CompareWithSourceAsync"/>).
/// </summary>
public static class ExportTruth
{
    public static async Task<(long Lost, long DeadLetters, IReadOnlyList<string> Examples)> CompareAsync(IObjectStore store, string sourceId, SimulatedSourceOptions simulated, long changes)
    {
        var truth = new SimulatedHistory(simulated, sourceId).StateAfter(changes).Documents(KeyRange.All)
            .ToDictionary(d => d.Key, d => (d.SourceVersion, Hash: ContentHasher.HashValueOrRaw(d.Document.Span, ContentHashOptions.Default)), StringComparer.Ordinal);
        var deadLettered = (await DeadLettersAsync(store, sourceId)).ToHashSet();
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var entry in LiveAsync(store, sourceId))
        {
            seen.Add(entry.Key);
            if (!truth.TryGetValue(entry.Key, out var expected))
            {
                problems.Add($"{entry.Key}: in the export, deleted at the source");
            }
            else if (expected.Hash != entry.ContentHash && !deadLettered.Contains((entry.Key, expected.SourceVersion)))
            {
                problems.Add($"{entry.Key}: other content than the source's version {expected.SourceVersion}");
            }
        }
        foreach (var (key, expected) in truth)
        {
            if (!seen.Contains(key) && !deadLettered.Contains((key, expected.SourceVersion)))
            {
                problems.Add($"{key}: missing from the export");
            }
        }
        return (problems.Count, deadLettered.Count, problems.Take(5).ToList());
    }

    /// <summary>
    /// Compares a finished export with a database's final state as the driver/SDK read it
    /// (<paramref name="source"/>: key → the writer's change number). The export side takes each
    /// live key's record and looks up the change number the run read from that record's document
    /// (<paramref name="changeBySeq"/>). A key whose final source document is poison and that has a
    /// dead letter is explained; anything else that differs counts as lost.
    /// </summary>
    public static async Task<(long Lost, long DeadLetters, IReadOnlyList<string> Examples, IReadOnlySet<string> DeadLetteredKeys)> CompareWithSourceAsync(
        IObjectStore store, string sourceId, IReadOnlyDictionary<string, SourceDocument> source, IReadOnlyDictionary<long, long> changeBySeq)
    {
        var letters = await DeadLettersAsync(store, sourceId);
        var deadLettered = letters.Select(l => l.Key).ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var entry in LiveAsync(store, sourceId))
        {
            seen.Add(entry.Key);
            long? exported = changeBySeq.TryGetValue(entry.Seq, out var change) ? change : null;
            if (!source.TryGetValue(entry.Key, out var expected))
            {
                problems.Add($"{entry.Key}: in the export, deleted at the source");
            }
            else if (exported != expected.Change && !(expected.Poison && deadLettered.Contains(entry.Key)))
            {
                problems.Add($"{entry.Key}: change {exported?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} in the export, {expected.Change} at the source");
            }
        }
        foreach (var (key, expected) in source)
        {
            if (!seen.Contains(key) && !(expected.Poison && deadLettered.Contains(key)))
            {
                problems.Add($"{key}: missing from the export (change {expected.Change})");
            }
        }
        return (problems.Count, letters.Count, problems.Take(5).ToList(), deadLettered);
    }

    private static async Task<List<(string Key, long SourceVersion)>> DeadLettersAsync(IObjectStore store, string sourceId)
    {
        var letters = new List<(string, long)>();
        await foreach (var letter in new DeadLetterStore(store, sourceId).ListAsync(null, default))
        {
            letters.Add((letter.Key, letter.SourceVersion));
        }
        return letters;
    }

    private static async IAsyncEnumerable<LiveEntry> LiveAsync(IObjectStore store, string sourceId)
    {
        var reader = new ExportLogReader(store, sourceId);
        var head = await reader.ReadHeadAsync(default);
        await foreach (var entry in new LiveView(store, sourceId, reader).ReadAtAsync(head.LastSeq, null, default))
        {
            yield return entry;
        }
    }
}
