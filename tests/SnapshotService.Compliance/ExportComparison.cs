using SnapshotService.Hashing;
using SnapshotService.Log;
using SnapshotService.Sources;
using SnapshotService.State;
using SnapshotService.Storage;

namespace SnapshotService.Compliance;

/// <summary>Compares a source's export (live state at the log head) with the collection as an adapter scans it now.</summary>
public static class ExportComparison
{
    /// <summary>"" when the export's live keys and content hashes equal the collection's; else a short description.</summary>
    public static async Task<string> DifferenceAsync(IObjectStore store, string sourceId, IChangeSource scanner, CancellationToken cancellationToken = default)
    {
        var reader = new ExportLogReader(store, sourceId);
        var head = await reader.ReadHeadAsync(cancellationToken);
        var exported = new Dictionary<string, UInt128>(StringComparer.Ordinal);
        if (head.LastSeq > 0)
        {
            await foreach (var entry in new LiveView(store, sourceId, reader).ReadAtAsync(head.LastSeq, null, cancellationToken))
            {
                exported[entry.Key] = entry.ContentHash;
            }
        }
        var missing = 0;
        var different = 0;
        var seen = 0;
        string? example = null;
        await foreach (var document in scanner.ScanAsync(KeyRange.All, cancellationToken))
        {
            seen++;
            if (!exported.TryGetValue(document.Key, out var hash))
            {
                missing++;
                example ??= $"missing {document.Key}";
            }
            else if (hash != ContentHasher.HashValue(document.Document.Span, ContentHashOptions.Default))
            {
                different++;
                example ??= $"different {document.Key}";
            }
        }
        var extra = exported.Count - (seen - missing);
        return missing + different + extra == 0 ? "" : $"{missing} missing, {different} different, {extra} extra keys in the export (e.g. {example ?? "an extra key"}); the collection has {seen}";
    }

    /// <summary>
    /// Compares every 250 ms until the export equals the collection (capture catching up after a
    /// restart); returns "" then, or the last difference once <paramref name="patience"/> has passed.
    /// </summary>
    public static async Task<string> WaitUntilEqualAsync(IObjectStore store, string sourceId, IChangeSource scanner, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        string difference;
        do
        {
            await Task.Delay(250);
            difference = await DifferenceAsync(store, sourceId, scanner);
        }
        while (difference.Length > 0 && DateTime.UtcNow < deadline);
        return difference;
    }

    /// <summary>Capture records that appear twice (same key, source version and operation) — a change captured more than once.</summary>
    public static async Task<List<(string Key, long Version, ChangeOperation Operation)>> DuplicateCapturesAsync(IObjectStore store, string sourceId, CancellationToken cancellationToken = default)
    {
        var reader = new ExportLogReader(store, sourceId);
        var head = await reader.ReadHeadAsync(cancellationToken);
        var seen = new HashSet<(string, long, ChangeOperation)>();
        var duplicates = new List<(string, long, ChangeOperation)>();
        await foreach (var record in reader.ReadRecordsAsync(1, head.LastSeq, cancellationToken))
        {
            if (record.Origin == ChangeOrigin.Capture && !seen.Add((record.Key, record.SourceVersion, record.Operation)))
            {
                duplicates.Add((record.Key, record.SourceVersion, record.Operation));
            }
        }
        return duplicates;
    }
}
