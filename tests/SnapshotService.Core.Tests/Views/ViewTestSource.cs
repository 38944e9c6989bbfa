using System.Globalization;
using SnapshotService.Grains;
using SnapshotService.Hashing;
using SnapshotService.Log;
using SnapshotService.Simulated;
using SnapshotService.Sources;
using SnapshotService.State;
using SnapshotService.Storage;
using SnapshotService.Views;
using ZstdSharp;

namespace SnapshotService.Core.Tests.Views;

/// <summary>Writes a simulated history into an export log and reads views back without the view code.</summary>
public static class ViewTestSource
{
    public const string Source = "views";

    public static SimulatedHistory History(long seed, int keySpace, long changes, int documentBytes = 200) =>
        new(new SimulatedSourceOptions { Seed = seed, KeySpace = keySpace, MaxChanges = changes, DocumentBytes = documentBytes, DeletePercent = 20 });

    /// <summary>Appends changes from+1..to in commits of at most <paramref name="batch"/>; compacts after the commit reaching <paramref name="compactAt"/> (if in range).</summary>
    public static async Task CaptureAsync(IObjectStore store, ExportLog log, SimulatedHistory history, long from, long to, int batch, long compactAt = -1, int maxKeysPerRange = 64, LiveStateOptions? stateOptions = null)
    {
        for (var n = from + 1; n <= to;)
        {
            var last = Math.Min(to, n + batch - 1);
            var changes = new List<SourceChange>();
            for (var i = n; i <= last; i++)
            {
                changes.Add(history.ChangeAt(i));
            }
            await log.AppendAsync(changes, new SourcePosition(string.Create(CultureInfo.InvariantCulture, $"offset:{last}")), default);
            if (compactAt >= n && compactAt <= last)
            {
                await LiveStateCompactor.CompactAsync(store, Source, stateOptions ?? new LiveStateOptions { MaxKeysPerRange = maxKeysPerRange }, default);
            }
            n = last + 1;
        }
    }

    /// <summary>Options that re-pack at every compaction, into small packs, so tests exercise packs on small histories.</summary>
    public static LiveStateOptions Repacking(int maxKeysPerRange, double belowDensity = 0.9) =>
        new() { MaxKeysPerRange = maxKeysPerRange, RepackBelowDensity = belowDensity, RepackMinLines = 1, PackTargetBytes = 64 * 1024 };

    public static SnapshotAnchor Anchor(string id, long seq) =>
        new(id, Source, seq, null, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new SourcePosition("offset:" + seq.ToString(CultureInfo.InvariantCulture)), null);

    /// <summary>key → content hash (hex) of the simulated state after n changes.</summary>
    public static SortedDictionary<string, string> ExpectedAt(SimulatedHistory history, long n)
    {
        var expected = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var document in history.StateAfter(n).Documents(KeyRange.All))
        {
            expected[document.Key] = ContentHasher.Hash(document.Document.Span, ContentHashOptions.Default);
        }
        return expected;
    }

    /// <summary>Reads every JSONL part of a view with plain zstd + System.Text.Json: key → (content hash, document re-hashed).</summary>
    public static async Task<List<(string Key, string Hash, string DocumentHash)>> ReadJsonlAsync(IObjectStore store, ViewManifest manifest)
    {
        var rows = new List<(string, string, string)>();
        var folder = StoreKeys.ViewFolder(Source, manifest.SnapshotId, "jsonl");
        foreach (var part in manifest.Parts)
        {
            var compressed = await store.ReadAsync(folder + part.Name, default) ?? throw new InvalidOperationException($"part {part.Name} missing");
            Assert.Equal(part.Checksum, ContentHasher.ChecksumHex(compressed));
            using var decompressor = new Decompressor();
            var text = decompressor.Unwrap(compressed).ToArray();
            var count = 0;
            foreach (var line in System.Text.Encoding.UTF8.GetString(text).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                using var json = System.Text.Json.JsonDocument.Parse(line);
                var root = json.RootElement;
                var document = System.Text.Encoding.UTF8.GetBytes(root.GetProperty("document").GetRawText());
                rows.Add((root.GetProperty("key").GetString()!, root.GetProperty("content_hash").GetString()!, ContentHasher.Hash(document, ContentHashOptions.Default)));
                count++;
            }
            Assert.Equal(part.Rows, count);
        }
        return rows;
    }
}
