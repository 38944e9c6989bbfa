using System.Globalization;

namespace SnapshotService.Storage;

/// <summary>
/// The key layout of export format v1 and the rules every key obeys. All keys of a source live
/// under <c>sources/{sourceId}/</c>; the folder names below are part of the format
/// (docs/export-format.md), so readers outside the service can find files without asking us.
/// </summary>
public static class StoreKeys
{
    /// <summary>The longest key accepted. Keeps file paths under common PATH_MAX limits and blob names well under 1024.</summary>
    public const int MaxLength = 512;

    /// <summary>The key rule as users read it in error messages.</summary>
    public const string Rule = "'/'-separated segments of [a-z0-9._-], no empty segment, no segment starting with '.', no leading '/', at most 512 characters";

    /// <summary>Folder of commit records.</summary>
    public const string LogFolder = "log/";

    /// <summary>Folder of segment files (compressed JSON lines).</summary>
    public const string SegmentsFolder = "segments/";

    /// <summary>Folder of checkpoints.</summary>
    public const string CheckpointsFolder = "checkpoints/";

    /// <summary>Folder of snapshot anchors.</summary>
    public const string SnapshotsFolder = "snapshots/";

    /// <summary>Folder of small mutable control files (e.g. the paused flag).</summary>
    public const string ControlFolder = "control/";

    /// <summary>Folder of writer records: who each log writer is and whether it has stopped for good.</summary>
    public const string WritersFolder = "writers/";

    /// <summary>Folder of materialized snapshots (views).</summary>
    public const string ViewsFolder = "views/";

    /// <summary>Reserved: drift reports.</summary>
    public const string ReportsFolder = "reports/";

    /// <summary>Reserved: poison records with the reason.</summary>
    public const string DeadLetterFolder = "deadletter/";

    /// <summary>File extension of segments: newline-delimited JSON compressed with zstd.</summary>
    public const string SegmentExtension = ".jsonl.zst";

    /// <summary>Name of the mutable pointer to the newest checkpoint, inside <see cref="CheckpointsFolder"/>.</summary>
    public const string LatestCheckpointName = "latest.json";

    /// <summary>Returns null when <paramref name="key"/> is a valid key, else a message saying what is wrong.</summary>
    public static string? Check(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return $"Object key is empty; keys are {Rule}.";
        }
        if (key.Length > MaxLength)
        {
            return $"Object key '{key[..80]}…' is {key.Length} characters long; keys are {Rule}.";
        }
        if (key[0] == '/')
        {
            return $"Object key '{key}' starts with '/'; keys are relative: {Rule}.";
        }
        var segmentStart = 0;
        for (var i = 0; i <= key.Length; i++)
        {
            if (i == key.Length || key[i] == '/')
            {
                var segment = key.AsSpan(segmentStart, i - segmentStart);
                if (segment.Length == 0)
                {
                    return $"Object key '{key}' has an empty segment at position {segmentStart}; keys are {Rule}.";
                }
                if (segment[0] == '.')
                {
                    return $"Object key '{key}' has segment '{segment}' starting with '.' ('.', '..' and hidden names could escape the root or collide with temp files); keys are {Rule}.";
                }
                segmentStart = i + 1;
                continue;
            }
            if (!IsAllowed(key[i]))
            {
                return $"Object key '{key}' contains '{key[i]}' at position {i}; keys are {Rule}.";
            }
        }
        return null;
    }

    /// <summary>True when <paramref name="key"/> is valid.</summary>
    public static bool IsValid(string? key) => Check(key) is null;

    /// <summary>Returns the key, or throws <see cref="ArgumentException"/> with a precise message.</summary>
    public static string Validate(string? key, string paramName = "key")
    {
        var problem = Check(key);
        return problem is null ? key! : throw new ArgumentException(problem, paramName);
    }

    /// <summary>
    /// Checks a list prefix: empty (everything), or a valid key optionally followed by '/', or a
    /// valid key whose last segment is cut short (e.g. <c>sources/a/log/0000</c>).
    /// </summary>
    public static string ValidatePrefix(string? prefix, string paramName = "prefix")
    {
        if (string.IsNullOrEmpty(prefix))
        {
            return string.Empty;
        }
        var trimmed = prefix[^1] == '/' ? prefix[..^1] : prefix;
        var problem = Check(trimmed);
        return problem is null ? prefix : throw new ArgumentException($"List prefix '{prefix}' is invalid: {problem}", paramName);
    }

    /// <summary>The root of a source: <c>sources/{sourceId}/</c>.</summary>
    public static string SourceRoot(string sourceId) => $"sources/{SourceIds.Validate(sourceId)}/";

    /// <summary>The prefix of a source's commit records.</summary>
    public static string LogPrefix(string sourceId) => SourceRoot(sourceId) + LogFolder;

    /// <summary>The commit record <c>log/{number:D20}.json</c>.</summary>
    public static string Commit(string sourceId, long number) => SourceRoot(sourceId) + CommitName(number);

    /// <summary>The commit record name relative to the source root.</summary>
    public static string CommitName(long number)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(number);
        return LogFolder + number.ToString("D20", CultureInfo.InvariantCulture) + ".json";
    }

    /// <summary>The prefix of a source's segments.</summary>
    public static string SegmentsPrefix(string sourceId) => SourceRoot(sourceId) + SegmentsFolder;

    /// <summary>A segment name relative to the source root: <c>segments/{firstSeq:D20}-{writerShort}.jsonl.zst</c>.</summary>
    public static string SegmentName(long firstSeq, string writerShort)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(firstSeq);
        var name = SegmentsFolder + firstSeq.ToString("D20", CultureInfo.InvariantCulture) + "-" + writerShort + SegmentExtension;
        return Validate(name, nameof(writerShort));
    }

    /// <summary>Reads the first seq out of a segment key or name (<c>…segments/{firstSeq:D20}-…</c>).</summary>
    public static bool TryParseSegmentFirstSeq(string key, out long firstSeq)
    {
        firstSeq = 0;
        var start = key.LastIndexOf(SegmentsFolder, StringComparison.Ordinal);
        return start >= 0 && key.Length >= start + SegmentsFolder.Length + 20 &&
            long.TryParse(key.AsSpan(start + SegmentsFolder.Length, 20), NumberStyles.None, CultureInfo.InvariantCulture, out firstSeq);
    }

    /// <summary>The full key of a segment.</summary>
    public static string Segment(string sourceId, long firstSeq, string writerShort) => SourceRoot(sourceId) + SegmentName(firstSeq, writerShort);

    /// <summary>The full key of a name relative to the source root (as stored in commit records).</summary>
    public static string InSource(string sourceId, string relativeName) => Validate(SourceRoot(sourceId) + relativeName, nameof(relativeName));

    /// <summary>The prefix of a source's checkpoints.</summary>
    public static string CheckpointsPrefix(string sourceId) => SourceRoot(sourceId) + CheckpointsFolder;

    /// <summary>The immutable checkpoint written after commit <paramref name="commitNumber"/>.</summary>
    public static string Checkpoint(string sourceId, long commitNumber)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(commitNumber);
        return CheckpointsPrefix(sourceId) + commitNumber.ToString("D20", CultureInfo.InvariantCulture) + ".json";
    }

    /// <summary>The mutable pointer to the newest checkpoint.</summary>
    public static string LatestCheckpoint(string sourceId) => CheckpointsPrefix(sourceId) + LatestCheckpointName;

    /// <summary>The prefix of a source's snapshot anchors.</summary>
    public static string SnapshotsPrefix(string sourceId) => SourceRoot(sourceId) + SnapshotsFolder;

    /// <summary>The anchor file of <paramref name="snapshotId"/>.</summary>
    public static string Snapshot(string sourceId, string snapshotId) => Validate(SnapshotsPrefix(sourceId) + snapshotId + ".json", nameof(snapshotId));

    /// <summary>The repair guard: keys repair wrote ahead of capture and their versions (<c>control/repair-guard.json</c>).</summary>
    public static string RepairGuard(string sourceId) => Control(sourceId, "repair-guard.json");

    /// <summary>The prefix of a source's writer records: <c>sources/{id}/writers/</c>.</summary>
    public static string WritersPrefix(string sourceId) => SourceRoot(sourceId) + WritersFolder;

    /// <summary>The prefix of the records writers put when they start: <c>writers/started/</c>.</summary>
    public static string WritersStartedPrefix(string sourceId) => WritersPrefix(sourceId) + "started/";

    /// <summary>The record a log writer puts when it starts: <c>writers/started/{writerId}.json</c>.</summary>
    public static string WriterStarted(string sourceId, string writerId) => Validate(WritersStartedPrefix(sourceId) + writerId + ".json", nameof(writerId));

    /// <summary>The prefix of the records writers put once they have stopped for good: <c>writers/retired/</c>.</summary>
    public static string WritersRetiredPrefix(string sourceId) => WritersPrefix(sourceId) + "retired/";

    /// <summary>The record a log writer puts once it has stopped for good: <c>writers/retired/{writerId}.json</c>.</summary>
    public static string WriterRetired(string sourceId, string writerId) => Validate(WritersRetiredPrefix(sourceId) + writerId + ".json", nameof(writerId));

    /// <summary>A small mutable control file, e.g. <c>Control(id, "capture.json")</c> for the paused flag.</summary>
    public static string Control(string sourceId, string name) => Validate(SourceRoot(sourceId) + ControlFolder + name, nameof(name));

    /// <summary>Folder of live-state checkpoints (compaction): range files, manifests and the latest pointer.</summary>
    public const string StateFolder = "state/";

    private const string PacksFolder = "packs/";

    /// <summary>The prefix of a source's live-state files: <c>sources/{id}/state/</c>.</summary>
    public static string StatePrefix(string sourceId) => SourceRoot(sourceId) + StateFolder;

    /// <summary>The prefix of a source's live-state manifests: <c>state/manifests/</c>.</summary>
    public static string StateManifestsPrefix(string sourceId) => StatePrefix(sourceId) + "manifests/";

    /// <summary>The immutable live-state manifest covering commits 1..<paramref name="commitNumber"/>: <c>state/manifests/{n:D20}.json</c>.</summary>
    public static string StateManifest(string sourceId, long commitNumber)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(commitNumber);
        return StateManifestsPrefix(sourceId) + commitNumber.ToString("D20", CultureInfo.InvariantCulture) + ".json";
    }

    /// <summary>The prefix of a source's live-state range files: <c>state/ranges/</c>.</summary>
    public static string StateRangesPrefix(string sourceId) => StatePrefix(sourceId) + "ranges/";

    /// <summary>A range file name relative to the source root: <c>state/ranges/{commit:D20}-{checksum}.jsonl.zst</c>.</summary>
    public static string StateRangeName(long commitNumber, string checksumHex)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(commitNumber);
        return Validate(StateFolder + "ranges/" + commitNumber.ToString("D20", CultureInfo.InvariantCulture) + "-" + checksumHex + SegmentExtension, nameof(checksumHex));
    }

    /// <summary>The prefix of a source's pack files: <c>state/packs/</c>.</summary>
    public static string StatePacksPrefix(string sourceId) => StatePrefix(sourceId) + PacksFolder;

    /// <summary>
    /// A pack file name relative to the source root: <c>state/packs/{firstSeq:D20}-{checksum}.jsonl.zst</c>.
    /// Packs hold verbatim copies of segment lines that compaction moved out of sparse files.
    /// </summary>
    public static string StatePackName(long firstSeq, string checksumHex)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(firstSeq);
        return Validate(StateFolder + PacksFolder + firstSeq.ToString("D20", CultureInfo.InvariantCulture) + "-" + checksumHex + SegmentExtension, nameof(checksumHex));
    }

    /// <summary>True when <paramref name="name"/> (relative to the source root) is a pack file rather than a log segment.</summary>
    public static bool IsPackName(string name) => name.StartsWith(StateFolder + PacksFolder, StringComparison.Ordinal);

    /// <summary>Reads the first seq and checksum out of a pack name (<c>state/packs/{firstSeq:D20}-{checksum}.jsonl.zst</c>).</summary>
    public static bool TryParsePackName(string name, out long firstSeq, out string checksumHex)
    {
        firstSeq = 0;
        checksumHex = string.Empty;
        var prefix = StateFolder + PacksFolder;
        if (!IsPackName(name) || !name.EndsWith(SegmentExtension, StringComparison.Ordinal) || name.Length < prefix.Length + 22 ||
            name[prefix.Length + 20] != '-' ||
            !long.TryParse(name.AsSpan(prefix.Length, 20), NumberStyles.None, CultureInfo.InvariantCulture, out firstSeq))
        {
            return false;
        }
        checksumHex = name[(prefix.Length + 21)..^SegmentExtension.Length];
        return checksumHex.Length > 0;
    }

    /// <summary>The mutable pointer to the newest live-state manifest: <c>state/latest.json</c>.</summary>
    public static string StateLatest(string sourceId) => StatePrefix(sourceId) + "latest.json";

    /// <summary>Prefix of materialized snapshots (views).</summary>
    public static string ViewsPrefix(string sourceId) => SourceRoot(sourceId) + ViewsFolder;

    /// <summary>
    /// The folder of one materialized view: <c>views/{snapshotId}/{format}/</c> (format <c>jsonl</c> or
    /// <c>parquet</c>). It holds the part files and, once complete, <c>manifest.json</c>.
    /// </summary>
    public static string ViewFolder(string sourceId, string snapshotId, string format) =>
        Validate(ViewsPrefix(sourceId) + snapshotId + "/" + format, nameof(snapshotId)) + "/";

    /// <summary>The manifest of a view: <c>views/{snapshotId}/{format}/manifest.json</c>, written last (its presence publishes the view).</summary>
    public static string ViewManifest(string sourceId, string snapshotId, string format) => ViewFolder(sourceId, snapshotId, format) + ViewManifestName;

    /// <summary>Name of a view's manifest inside its folder.</summary>
    public const string ViewManifestName = "manifest.json";

    /// <summary>A part file name inside a view folder: <c>part-{index:D5}{extension}</c>.</summary>
    public static string ViewPartName(int index, string extension)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return "part-" + index.ToString("D5", CultureInfo.InvariantCulture) + extension;
    }

    /// <summary>Reserved prefix for drift reports.</summary>
    public static string ReportsPrefix(string sourceId) => SourceRoot(sourceId) + ReportsFolder;

    /// <summary>
    /// The prefix of a source's drift report documents: <c>reports/runs/</c>. Documents live apart
    /// from key parts and episodes so that listing reports reads report documents only.
    /// </summary>
    public static string DriftReportsPrefix(string sourceId) => ReportsPrefix(sourceId) + "runs/";

    /// <summary>A drift report document: <c>reports/runs/{reportId}.json</c> (written last, put-if-absent).</summary>
    public static string DriftReport(string sourceId, string reportId) => Validate(DriftReportsPrefix(sourceId) + reportId + ".json", nameof(reportId));

    /// <summary>A part of a report's full key list, relative to the source root: <c>reports/keys/{reportId}/{category}-{part:D6}.jsonl.zst</c>.</summary>
    public static string DriftKeysPartName(string reportId, string categoryName, int part)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(part);
        return Validate(ReportsFolder + "keys/" + reportId + "/" + categoryName + "-" + part.ToString("D6", CultureInfo.InvariantCulture) + SegmentExtension, nameof(reportId));
    }

    /// <summary>The prefix of a source's drift episode buckets: <c>reports/episodes/</c>.</summary>
    public static string DriftEpisodesPrefix(string sourceId) => ReportsPrefix(sourceId) + "episodes/";

    /// <summary>One drift episode bucket: <c>reports/episodes/{bucket:x2}.json</c>.</summary>
    public static string DriftEpisodesBucket(string sourceId, int bucket)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bucket);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bucket, 255);
        return DriftEpisodesPrefix(sourceId) + bucket.ToString("x2", CultureInfo.InvariantCulture) + ".json";
    }

    /// <summary>Folder of reconciliation schedules: one mutable JSON file per schedule.</summary>
    public const string SchedulesFolder = "schedules/";

    /// <summary>The prefix of a source's reconciliation schedules: <c>sources/{id}/schedules/</c>.</summary>
    public static string SchedulesPrefix(string sourceId) => SourceRoot(sourceId) + SchedulesFolder;

    /// <summary>A reconciliation schedule: <c>schedules/{scheduleId}.json</c> (replaced atomically on every change).</summary>
    public static string Schedule(string sourceId, string scheduleId) => Validate(SchedulesPrefix(sourceId) + scheduleId + ".json", nameof(scheduleId));

    /// <summary>Reserved prefix for dead-lettered records.</summary>
    public static string DeadLetterPrefix(string sourceId) => SourceRoot(sourceId) + DeadLetterFolder;

    /// <summary>
    /// Parses the 20-digit number at the start of the last segment of a key such as
    /// <c>…/log/00000000000000000042.json</c> or <c>…/segments/00000000000000000042-w.jsonl.zst</c>.
    /// </summary>
    public static bool TryParseLeadingNumber(string key, out long number)
    {
        number = 0;
        var slash = key.LastIndexOf('/');
        var name = key.AsSpan(slash + 1);
        return name.Length >= 20
            && (name.Length == 20 || name[20] is '.' or '-')
            && long.TryParse(name[..20], NumberStyles.None, CultureInfo.InvariantCulture, out number)
            && number > 0;
    }

    private static bool IsAllowed(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.';
}
