using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using SnapshotService.Hashing;
using SnapshotService.Storage;
using SnapshotService.Views;
using ZstdSharp;

namespace SnapshotService.Restore;

/// <summary>One row of a JSONL view: what a restore writes and verifies.</summary>
/// <param name="Key">Document key.</param>
/// <param name="PartitionKey">Partition key or null.</param>
/// <param name="ContentHash">The recorded canonical content hash.</param>
/// <param name="Document">The document as UTF-8 JSON.</param>
public sealed record ViewRow(string Key, string? PartitionKey, UInt128 ContentHash, ReadOnlyMemory<byte> Document);

/// <summary>
/// Reads a published JSONL view part by part, in key order, checking every part against the
/// manifest's checksum first. Memory: one decompressed part.
/// </summary>
public static class JsonlViewReader
{
    /// <summary>Streams the rows of <paramref name="manifest"/> (which must be a JSONL view).</summary>
    /// <exception cref="InvalidDataException">A part is missing, differs from its checksum, or is not valid view JSONL.</exception>
    public static async IAsyncEnumerable<ViewRow> ReadAsync(IObjectStore store, ViewManifest manifest, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.Format != ViewFormat.Jsonl)
        {
            throw new ArgumentException($"View of snapshot '{manifest.SnapshotId}' is {ViewFormats.Name(manifest.Format)}; restores read the jsonl view.", nameof(manifest));
        }
        var folder = StoreKeys.ViewFolder(manifest.SourceId, manifest.SnapshotId, ViewFormats.Name(manifest.Format));
        foreach (var part in manifest.Parts)
        {
            var compressed = await store.ReadAsync(folder + part.Name, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"View part '{folder}{part.Name}' is missing although the manifest lists it; delete the view (DeleteSnapshot frees it) or its folder and materialize again.");
            var checksum = ContentHasher.ChecksumHex(compressed);
            if (!string.Equals(checksum, part.Checksum, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"View part '{folder}{part.Name}' has checksum {checksum}; the manifest says {part.Checksum}. The view is damaged.");
            }
            byte[] lines;
            using (var decompressor = new Decompressor())
            {
                lines = decompressor.Unwrap(compressed).ToArray();
            }
            foreach (var row in ParseLines(folder + part.Name, lines))
            {
                yield return row;
            }
        }
    }

    private static IEnumerable<ViewRow> ParseLines(string name, byte[] lines)
    {
        var offset = 0;
        var number = 0;
        while (offset < lines.Length)
        {
            var end = Array.IndexOf(lines, (byte)'\n', offset);
            end = end < 0 ? lines.Length : end;
            number++;
            yield return ParseLine(name, number, lines.AsMemory(offset, end - offset));
            offset = end + 1;
        }
    }

    private static ViewRow ParseLine(string name, int number, ReadOnlyMemory<byte> line)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var key = root.GetProperty("key").GetString() ?? throw new InvalidDataException("key is null");
            var partition = root.TryGetProperty("partition_key", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            var hash = UInt128.Parse(root.GetProperty("content_hash").GetString() ?? throw new InvalidDataException("content_hash is null"), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            var document = System.Text.Encoding.UTF8.GetBytes(root.GetProperty("document").GetRawText());
            return new ViewRow(key, partition, hash, document);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or ArgumentNullException or InvalidOperationException)
        {
            throw new InvalidDataException($"View part '{name}' line {number} is not a view row: {e.Message}", e);
        }
    }
}
