using System.Buffers;
using System.Globalization;
using System.Text.Json;
using SnapshotService.Log;
using ZstdSharp;

namespace SnapshotService.Reconciliation.Reports;

/// <summary>
/// A key file part: newline-delimited JSON, one drift item per line, compressed with zstd (like
/// segments, so <c>zstd -dc | jq</c> reads it). Hashes are 32 lowercase hex digits.
/// </summary>
internal static class DriftKeyFileCodec
{
    private const int CompressionLevel = 3;

    public static byte[] Encode(IReadOnlyList<DriftItem> items)
    {
        var lines = new ArrayBufferWriter<byte>(items.Count * 160);
        using (var writer = new Utf8JsonWriter(lines, new JsonWriterOptions { Encoder = DriftReportJson.Options.Encoder }))
        {
            foreach (var item in items)
            {
                writer.Reset(lines);
                JsonSerializer.Serialize(writer, ToDto(item), DriftReportJson.Options);
                writer.Flush();
                lines.Write("\n"u8);
            }
        }
        using var compressor = new Compressor(CompressionLevel);
        return compressor.Wrap(lines.WrittenSpan).ToArray();
    }

    public static IEnumerable<DriftItem> Decode(string name, byte[] compressed)
    {
        var data = SegmentCodec.Decompress(name, compressed);
        foreach (var line in JsonLines.Split(data))
        {
            yield return Parse(name, line.Number, data.AsMemory(line.Offset, line.Length));
        }
    }

    private static DriftItem Parse(string name, int lineNumber, ReadOnlyMemory<byte> line)
    {
        try
        {
            var dto = JsonSerializer.Deserialize<LineDto>(line.Span, DriftReportJson.Options);
            var category = DriftCategoryNames.TryParse(dto?.Category);
            if (dto?.Key is null || category is null)
            {
                throw new InvalidDataException("expected key and a known category");
            }
            return new DriftItem(dto.Key, category.Value, dto.Range, dto.ExportSeq, dto.ExportVersion, ParseHash(dto.ExportContentHash), dto.ExportPartitionKey,
                dto.SourceVersion, ParseHash(dto.SourceContentHash), dto.SourcePartitionKey);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidDataException or OverflowException)
        {
            throw new InvalidDataException($"Drift key file '{name}' line {lineNumber} is not a valid drift item: {e.Message}", e);
        }
    }

    private static LineDto ToDto(DriftItem i) => new(i.Key, DriftCategoryNames.NameOf(i.Category), i.RangeIndex, i.ExportSeq, i.ExportVersion,
        FormatHash(i.ExportContentHash), i.ExportPartitionKey, i.SourceVersion, FormatHash(i.SourceContentHash), i.SourcePartitionKey);

    private static string? FormatHash(UInt128? hash) => hash?.ToString("x32", CultureInfo.InvariantCulture);

    private static UInt128? ParseHash(string? hex) => hex is null ? null : UInt128.Parse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    private sealed record LineDto(
        string? Key, string? Category, int Range, long? ExportSeq, long? ExportVersion, string? ExportContentHash, string? ExportPartitionKey,
        long? SourceVersion, string? SourceContentHash, string? SourcePartitionKey);
}
