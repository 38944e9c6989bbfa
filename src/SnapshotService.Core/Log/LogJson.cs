using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using SnapshotService.Sources;

namespace SnapshotService.Log;

/// <summary>
/// JSON forms (format v1, snake_case) of the log's small files: commit records, checkpoints and
/// the latest-checkpoint pointer. Readers refuse a file whose <c>format</c> they do not know
/// rather than guess, and name the key in every error.
/// </summary>
internal static class LogJson
{
    /// <summary>The format version this code writes and reads.</summary>
    public const int FormatVersion = 1;

    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // files, not HTML: keep positions and labels readable
        RespectNullableAnnotations = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    public static byte[] EncodeCommit(string sourceId, CommitRecord commit) =>
        JsonSerializer.SerializeToUtf8Bytes(CommitDto.From(sourceId, commit), Options);

    public static CommitRecord DecodeCommit(string key, ReadOnlySpan<byte> json)
    {
        var dto = ReadVersioned<CommitDto>(key, json, d => d.Format);
        if (dto.Number <= 0 || dto.FirstSeq <= 0 || dto.LastSeq < dto.FirstSeq - 1 || dto.Segments is null || dto.WriterId is null || dto.Stats is null)
        {
            throw new InvalidDataException($"Commit record '{key}' is malformed: number {dto.Number}, seq range {dto.FirstSeq}..{dto.LastSeq}, segments/writer_id/stats must be present.");
        }
        return dto.ToRecord();
    }

    public static byte[] EncodeCheckpoint(CheckpointDto checkpoint) => JsonSerializer.SerializeToUtf8Bytes(checkpoint, Options);

    public static CheckpointDto DecodeCheckpoint(string key, ReadOnlySpan<byte> json)
    {
        var dto = ReadVersioned<CheckpointDto>(key, json, d => d.Format);
        if (dto.CommitNumber <= 0 || dto.LastSeq < 0)
        {
            throw new InvalidDataException($"Checkpoint '{key}' is malformed: commit_number {dto.CommitNumber}, last_seq {dto.LastSeq}.");
        }
        return dto;
    }

    public static byte[] EncodeLatestPointer(LatestCheckpointDto pointer) => JsonSerializer.SerializeToUtf8Bytes(pointer, Options);

    public static LatestCheckpointDto DecodeLatestPointer(string key, ReadOnlySpan<byte> json)
    {
        var dto = ReadVersioned<LatestCheckpointDto>(key, json, d => d.Format);
        return dto;
    }

    /// <summary>
    /// Parses a versioned export file and checks its format; every error is an
    /// <see cref="InvalidDataException"/> naming the key and, through <paramref name="kind"/>
    /// (e.g. "live-state "), what sort of file it is.
    /// </summary>
    internal static T ReadVersioned<T>(string key, ReadOnlySpan<byte> json, Func<T, int> formatOf, string kind = "")
        where T : class
    {
        T dto;
        try
        {
            dto = JsonSerializer.Deserialize<T>(json, Options) ?? throw new InvalidDataException($"'{key}' holds JSON null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{key}' is not a valid format-{FormatVersion} {kind}file: {e.Message}", e);
        }
        var format = formatOf(dto);
        if (format != FormatVersion)
        {
            throw new InvalidDataException($"'{key}' has format {format}; this version reads {kind}format {FormatVersion} only.");
        }
        return dto;
    }
}

/// <summary>JSON form of <see cref="CommitRecord"/>.</summary>
internal sealed record CommitDto(
    int Format,
    string? SourceId,
    long Number,
    long FirstSeq,
    long LastSeq,
    IReadOnlyList<SegmentDto>? Segments,
    string? Position,
    DateTimeOffset? FirstSourceTime,
    DateTimeOffset? LastSourceTime,
    string? WriterId,
    DateTimeOffset CommittedAt,
    CommitStatsDto? Stats)
{
    public static CommitDto From(string sourceId, CommitRecord c)
    {
        var segments = new SegmentDto[c.Segments.Count];
        for (var i = 0; i < segments.Length; i++)
        {
            var s = c.Segments[i];
            segments[i] = new SegmentDto(s.Name, s.FirstSeq, s.LastSeq, s.Bytes, s.Checksum);
        }
        return new CommitDto(LogJson.FormatVersion, sourceId, c.Number, c.FirstSeq, c.LastSeq, segments, c.Position.Token, c.FirstSourceTime, c.LastSourceTime, c.WriterId, c.CommittedAt,
            new CommitStatsDto(c.Stats.Upserts, c.Stats.Deletes, c.Stats.UncompressedBytes, c.Stats.CompressedBytes));
    }

    public CommitRecord ToRecord()
    {
        var segments = new SegmentRef[Segments!.Count];
        for (var i = 0; i < segments.Length; i++)
        {
            var s = Segments[i];
            segments[i] = new SegmentRef(s.Name ?? string.Empty, s.FirstSeq, s.LastSeq, s.Bytes, s.Checksum ?? string.Empty);
        }
        return new CommitRecord(Number, FirstSeq, LastSeq, segments, new SourcePosition(Position ?? string.Empty), FirstSourceTime, LastSourceTime, WriterId!, CommittedAt,
            new CommitStats(Stats!.Upserts, Stats.Deletes, Stats.UncompressedBytes, Stats.CompressedBytes));
    }
}

/// <summary>JSON form of <see cref="SegmentRef"/>.</summary>
internal sealed record SegmentDto(string? Name, long FirstSeq, long LastSeq, long Bytes, string? Checksum);

/// <summary>JSON form of <see cref="CommitStats"/>.</summary>
internal sealed record CommitStatsDto(long Upserts, long Deletes, long UncompressedBytes, long CompressedBytes);

/// <summary>
/// <c>checkpoints/{n:D20}.json</c>: the log head after commit n, so opening the log reads only
/// commits after n. Format v1 stores the head only; per-key state for materialization and
/// reconciliation will be added as new fields (readers skip fields they do not know).
/// </summary>
internal sealed record CheckpointDto(
    int Format,
    string? SourceId,
    long CommitNumber,
    long LastSeq,
    string? Position,
    DateTimeOffset? FirstSourceTime,
    DateTimeOffset? LastSourceTime,
    DateTimeOffset? LastCommitTime,
    string? WriterId,
    DateTimeOffset WrittenAt)
{
    public LogHead ToHead() => new(CommitNumber, LastSeq, new SourcePosition(Position ?? string.Empty), FirstSourceTime, LastSourceTime, LastCommitTime);
}

/// <summary><c>checkpoints/latest.json</c>: a replaceable pointer to the newest checkpoint.</summary>
internal sealed record LatestCheckpointDto(int Format, long CommitNumber, string? Checkpoint, DateTimeOffset WrittenAt);
