using System.Text.Json;
using SnapshotService.Log;
using SnapshotService.Sources;

namespace SnapshotService.State;

/// <summary>JSON forms (snake_case, format 1) of the live-state manifest and the latest pointer.</summary>
internal static class LiveStateJson
{
    // Live-state files are part of the export format and share its version.
    public const int FormatVersion = LogJson.FormatVersion;

    public static byte[] EncodeManifest(LiveStateManifest m, int maxKeysPerRange)
    {
        var ranges = new RangeDto[m.Ranges.Count];
        for (var i = 0; i < ranges.Length; i++)
        {
            var r = m.Ranges[i];
            ranges[i] = new RangeDto(r.StartKey, r.File, r.Digest.Count, r.Digest.SumHex, r.Bytes, r.Checksum);
        }
        var files = m.Files?.Select(f => new FileDto(f.Name, f.Lines, f.Live)).ToArray();
        var dto = new ManifestDto(FormatVersion, m.SourceId, m.CommitNumber, m.LastSeq, m.Position.Token, m.WrittenAt, maxKeysPerRange, m.Count, ranges, files);
        return JsonSerializer.SerializeToUtf8Bytes(dto, LogJson.Options);
    }

    public static LiveStateManifest DecodeManifest(string key, ReadOnlySpan<byte> json)
    {
        var dto = LogJson.ReadVersioned<ManifestDto>(key, json, d => d.Format, "live-state ");
        if (dto.SourceId is null || dto.CommitNumber <= 0 || dto.LastSeq < 0 || dto.Ranges is null || dto.Ranges.Count == 0 || dto.Ranges[0].StartKey is not null)
        {
            throw new InvalidDataException($"Live-state manifest '{key}' is malformed: source_id, commit_number > 0 and ranges (the first starting at null) are required.");
        }
        var ranges = new LiveStateRange[dto.Ranges.Count];
        for (var i = 0; i < ranges.Length; i++)
        {
            var r = dto.Ranges[i];
            if (i > 0 && (r.StartKey is null || string.CompareOrdinal(dto.Ranges[i - 1].StartKey, r.StartKey) >= 0))
            {
                throw new InvalidDataException($"Live-state manifest '{key}': range {i} does not start after range {i - 1}.");
            }
            if (r.Count < 0 || (r.Count > 0 && (r.File is null || r.Checksum is null)) || r.Digest is null)
            {
                throw new InvalidDataException($"Live-state manifest '{key}': range {i} is malformed (count {r.Count}, file {r.File ?? "null"}).");
            }
            UInt128 sum;
            try
            {
                sum = RangeDigest.ParseSum(r.Digest);
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"Live-state manifest '{key}': range {i} digest is invalid: {e.Message}", e);
            }
            ranges[i] = new LiveStateRange(r.StartKey, r.File, new RangeDigest(r.Count, sum), r.Bytes, r.Checksum);
        }
        LiveFileStats[]? files = null;
        if (dto.Files is not null)
        {
            files = new LiveFileStats[dto.Files.Count];
            for (var i = 0; i < files.Length; i++)
            {
                var f = dto.Files[i];
                if (f.Name is null || f.Lines < 1 || f.Live < 1 || f.Live > f.Lines)
                {
                    throw new InvalidDataException($"Live-state manifest '{key}': file {i} is malformed (name {f.Name ?? "null"}, lines {f.Lines}, live {f.Live}).");
                }
                files[i] = new LiveFileStats(f.Name, f.Lines, f.Live);
            }
        }
        return new LiveStateManifest(dto.SourceId, dto.CommitNumber, dto.LastSeq, new SourcePosition(dto.Position ?? string.Empty), dto.WrittenAt, ranges, files);
    }

    public static byte[] EncodeLatest(LatestStateDto pointer) => JsonSerializer.SerializeToUtf8Bytes(pointer, LogJson.Options);

    public static LatestStateDto DecodeLatest(string key, ReadOnlySpan<byte> json)
    {
        var dto = LogJson.ReadVersioned<LatestStateDto>(key, json, d => d.Format, "live-state ");
        return dto;
    }
}

/// <summary>JSON form of <see cref="LiveStateManifest"/>.</summary>
internal sealed record ManifestDto(
    int Format,
    string? SourceId,
    long CommitNumber,
    long LastSeq,
    string? Position,
    DateTimeOffset WrittenAt,
    int MaxKeysPerRange,
    long Count,
    IReadOnlyList<RangeDto>? Ranges,
    IReadOnlyList<FileDto>? Files);

/// <summary>JSON form of <see cref="LiveStateRange"/>.</summary>
internal sealed record FileDto(string? Name, long Lines, long Live);

internal sealed record RangeDto(string? StartKey, string? File, long Count, string? Digest, long Bytes, string? Checksum);

/// <summary><c>state/latest.json</c>: a replaceable pointer to the newest manifest (a hint; the manifests are the truth).</summary>
internal sealed record LatestStateDto(int Format, long CommitNumber, long LastSeq, string? Manifest, DateTimeOffset WrittenAt);
