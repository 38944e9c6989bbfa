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
/// </summary>
public static class ExportTruth
{
    public static async Task<(long Lost, long DeadLetters, IReadOnlyList<string> Examples)> CompareAsync(IObjectStore store, string sourceId, SimulatedSourceOptions simulated, long changes)
    {
        var truth = new SimulatedHistory(simulated, sourceId).StateAfter(changes).Documents(KeyRange.All)
            .ToDictionary(d => d.Key, d => (d.SourceVersion, Hash: ContentHasher.HashValueOrRaw(d.Document.Span, ContentHashOptions.Default)), StringComparer.Ordinal);
        var deadLettered = new HashSet<(string, long)>();
        await foreach (var letter in new DeadLetterStore(store, sourceId).ListAsync(null, default))
        {
            deadLettered.Add((letter.Key, letter.SourceVersion));
        }
        var reader = new ExportLogReader(store, sourceId);
        var head = await reader.ReadHeadAsync(default);
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var entry in new LiveView(store, sourceId, reader).ReadAtAsync(head.LastSeq, null, default))
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
}
