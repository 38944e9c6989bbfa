using System.Text.Json;
using SnapshotService.Log;

namespace SnapshotService.Views;

/// <summary>JSON form (snake_case, format 1) of <see cref="ViewManifest"/>.</summary>
internal static class ViewJson
{
    public const int FormatVersion = 1;

    public static byte[] Encode(ViewManifest m) => JsonSerializer.SerializeToUtf8Bytes(
        new ManifestDto(
            FormatVersion, m.SourceId, m.SnapshotId, m.Seq, ViewFormats.Name(m.Format), m.MaterializedAt,
            m.Rows, m.DocumentBytes, m.Bytes, m.ContentChecksum,
            [.. m.Parts.Select(p => new PartDto(p.Name, p.Rows, p.Bytes, p.Checksum, p.FirstKey, p.LastKey))]),
        LogJson.Options);

    public static ViewManifest Decode(string key, ReadOnlySpan<byte> json)
    {
        ManifestDto dto;
        try
        {
            dto = JsonSerializer.Deserialize<ManifestDto>(json, LogJson.Options) ?? throw new InvalidDataException($"'{key}' holds JSON null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"View manifest '{key}' is not a valid format-{FormatVersion} file: {e.Message}", e);
        }
        if (dto.Format != FormatVersion)
        {
            throw new InvalidDataException($"View manifest '{key}' has format {dto.Format}; this version reads format {FormatVersion} only.");
        }
        var format = ViewFormats.TryParse(dto.ViewFormat);
        if (dto.SourceId is null || dto.SnapshotId is null || format is null || dto.ContentChecksum is null || dto.Parts is null)
        {
            throw new InvalidDataException($"View manifest '{key}' is malformed: source_id, snapshot_id, view_format (jsonl|parquet), content_checksum and parts are required.");
        }
        var parts = dto.Parts.Select(p => new ViewPart(p.Name, p.Rows, p.Bytes, p.Checksum, p.FirstKey, p.LastKey)).ToList();
        return new ViewManifest(dto.SourceId, dto.SnapshotId, dto.Seq, format.Value, dto.MaterializedAt, parts, dto.Rows, dto.DocumentBytes, dto.ContentChecksum);
    }

    private sealed record ManifestDto(
        int Format,
        string? SourceId,
        string? SnapshotId,
        long Seq,
        string? ViewFormat,
        DateTimeOffset MaterializedAt,
        long Rows,
        long DocumentBytes,
        long Bytes,
        string? ContentChecksum,
        List<PartDto>? Parts);

    private sealed record PartDto(string Name, long Rows, long Bytes, string Checksum, string FirstKey, string LastKey);
}
