using System.Text.Encodings.Web;
using System.Text.Json;
using SnapshotService.Grains;
using SnapshotService.Sources;

namespace SnapshotService.Snapshots;

/// <summary>JSON form (format v1, snake_case) of <c>snapshots/{id}.json</c>.</summary>
internal static class AnchorJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // files, not HTML: keep positions and labels readable
    };

    public static byte[] Encode(SnapshotAnchor anchor) => JsonSerializer.SerializeToUtf8Bytes(
        new AnchorDto(1, anchor.Id, anchor.SourceId, anchor.Seq, anchor.Label, anchor.CreatedAt, anchor.Position.Token ?? string.Empty, anchor.SourceTime),
        Options);

    public static SnapshotAnchor Decode(string key, ReadOnlySpan<byte> json)
    {
        AnchorDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize<AnchorDto>(json, Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Anchor '{key}' is not valid JSON: {e.Message}", e);
        }
        if (dto is null || dto.Format != 1 || dto.Id is null || dto.SourceId is null || dto.Seq <= 0)
        {
            throw new InvalidDataException($"Anchor '{key}' is malformed or has an unknown format (expected format 1 with id, source_id and seq ≥ 1).");
        }
        return new SnapshotAnchor(dto.Id, dto.SourceId, dto.Seq, dto.Label, dto.CreatedAt, new SourcePosition(dto.Position ?? string.Empty), dto.SourceTime);
    }

    private sealed record AnchorDto(int Format, string? Id, string? SourceId, long Seq, string? Label, DateTimeOffset CreatedAt, string? Position, DateTimeOffset? SourceTime);
}
