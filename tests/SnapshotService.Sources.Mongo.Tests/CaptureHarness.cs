using System.Text;
using MongoDB.Bson;

namespace SnapshotService.Sources.Mongo.Tests;

/// <summary>
/// Plays the capture pipeline's part for one source: reads batches, applies them to an in-memory
/// export (key → document, version), keeps the last position and every notice, and checks that no
/// key's version goes backwards.
/// </summary>
internal sealed class CaptureHarness(IChangeSource source)
{
    public Dictionary<string, (BsonDocument Document, long Version)> Export { get; } = new(StringComparer.Ordinal);
    public List<SourceChange> Changes { get; } = [];
    public List<SourceNotice> Notices { get; } = [];
    public SourcePosition Position { get; set; } = SourcePosition.Start;
    public int Batches { get; private set; }

    private readonly Dictionary<string, long> _versions = new(StringComparer.Ordinal);

    public async Task<ChangeBatch> ReadOnceAsync(int maxChanges = 500, CancellationToken cancellationToken = default)
    {
        var batch = await source.ReadChangesAsync(Position, maxChanges, cancellationToken);
        Batches++;
        foreach (var change in batch.Changes)
        {
            if (_versions.TryGetValue(change.Key, out var last))
            {
                Assert.True(change.SourceVersion >= last, $"key {change.Key}: version went back from {last} to {change.SourceVersion} ({change.Origin})");
            }
            _versions[change.Key] = change.SourceVersion;
            Changes.Add(change);
            if (change.Operation == ChangeOperation.Delete)
            {
                Export.Remove(change.Key);
            }
            else
            {
                Export[change.Key] = (MongoJson.FromJson(change.Document.Span), change.SourceVersion);
            }
        }
        Notices.AddRange(batch.Notices);
        Position = batch.PositionAfter;
        return batch;
    }

    /// <summary>Reads until <paramref name="done"/> holds (checked after each batch); fails after the guard time.</summary>
    public async Task ReadUntilAsync(Func<bool> done, TimeSpan? guard = null, string? what = null, int maxChanges = 500)
    {
        using var cts = new CancellationTokenSource(guard ?? TimeSpan.FromSeconds(30));
        while (!done())
        {
            if (cts.IsCancellationRequested)
            {
                Assert.Fail($"gave up waiting for {what ?? "the condition"} after {Batches} batches; export has {Export.Count} keys, notices: {string.Join(" | ", Notices.Select(n => n.Kind))}");
            }
            await ReadOnceAsync(maxChanges, cts.Token);
        }
    }

    /// <summary>The export's documents by key, as compact JSON, for comparing with the collection.</summary>
    public SortedDictionary<string, string> ExportJson() =>
        new(Export.ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetString(MongoJson.ToJsonBytes(kv.Value.Document))), StringComparer.Ordinal);

    public static SortedDictionary<string, string> Json(IEnumerable<BsonDocument> documents) =>
        new(documents.ToDictionary(d => MongoKeys.Encode(d["_id"]), d => Encoding.UTF8.GetString(MongoJson.ToJsonBytes(d))), StringComparer.Ordinal);
}
