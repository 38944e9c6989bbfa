using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SnapshotService.Sources;

namespace SnapshotService.DeadLetters;

/// <summary>
/// The file format of <c>deadletter/{id}.json</c> (export format v1): one JSON object per dead
/// letter, snake_case, the payload base64-encoded because it may not be valid JSON or UTF-8.
/// </summary>
internal static class DeadLetterJson
{
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    public static byte[] Encode(DeadLetter letter) => JsonSerializer.SerializeToUtf8Bytes(new Dto
    {
        Format = FormatVersion,
        Id = letter.Id,
        SourceId = letter.SourceId,
        Key = letter.Key,
        PartitionKey = letter.PartitionKey,
        SourceVersion = letter.SourceVersion,
        SourceTime = letter.SourceTime,
        Origin = letter.Origin.ToString().ToLowerInvariant(),
        Reason = DeadLetterReasons.Name(letter.Reason),
        Detail = letter.Detail,
        LogSeq = letter.LogSeq,
        Position = letter.Position.Token,
        DeadLetteredAt = letter.DeadLetteredAt,
        PayloadBytes = letter.Payload.Length,
        PayloadBase64 = Convert.ToBase64String(letter.Payload.Span),
    }, Options);

    public static DeadLetter Decode(string storeKey, ReadOnlySpan<byte> json)
    {
        Dto dto;
        try
        {
            dto = JsonSerializer.Deserialize<Dto>(json, Options) ?? throw new InvalidDataException("null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Dead letter '{storeKey}' is not valid JSON: {e.Message}", e);
        }
        if (dto.Format != FormatVersion)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"Dead letter '{storeKey}' has format {dto.Format}; this version reads format {FormatVersion}."));
        }
        if (dto.Id is null || dto.SourceId is null || dto.Key is null || dto.Detail is null || dto.PayloadBase64 is null
            || !DeadLetterReasons.TryParse(dto.Reason, out var reason)
            || !Enum.TryParse<ChangeOrigin>(dto.Origin, ignoreCase: true, out var origin))
        {
            throw new InvalidDataException($"Dead letter '{storeKey}' is malformed: id, source_id, key, reason, origin, detail and payload_base64 must be present and known.");
        }
        return new DeadLetter(dto.Id, dto.SourceId, dto.Key, dto.PartitionKey, dto.SourceVersion, dto.SourceTime, origin, reason,
            dto.Detail, dto.LogSeq, new SourcePosition(dto.Position ?? string.Empty), dto.DeadLetteredAt, Convert.FromBase64String(dto.PayloadBase64));
    }

    private sealed class Dto
    {
        public int Format { get; set; }
        public string? Id { get; set; }
        public string? SourceId { get; set; }
        public string? Key { get; set; }
        public string? PartitionKey { get; set; }
        public long SourceVersion { get; set; }
        public DateTimeOffset SourceTime { get; set; }
        public string? Origin { get; set; }
        public string? Reason { get; set; }
        public string? Detail { get; set; }
        public long LogSeq { get; set; }
        public string? Position { get; set; }
        public DateTimeOffset DeadLetteredAt { get; set; }
        public int PayloadBytes { get; set; }
        public string? PayloadBase64 { get; set; }
    }
}
