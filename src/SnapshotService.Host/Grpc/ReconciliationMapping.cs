using Google.Protobuf.WellKnownTypes;
using SnapshotService.Errors;
using SnapshotService.Grains;
using SnapshotService.Reconciliation;
using SnapshotService.Reconciliation.Reports;
using V1 = SnapshotService.Api.V1;

namespace SnapshotService.Host.Grpc;

/// <summary>Drift reports, keys and episodes ↔ API messages; modes, statuses and categories travel as snake_case strings.</summary>
internal static class ReconciliationMapping
{
    /// <summary>"full" (or empty, the default) and "incremental"; anything else is refused naming mode.</summary>
    public static ReconcileMode ParseMode(string mode) => mode switch
    {
        "" or "full" => ReconcileMode.Full,
        "incremental" => ReconcileMode.Incremental,
        _ => throw SnapshotServiceException.InvalidArgument("mode", $"mode '{(mode.Length <= 60 ? mode : mode[..60] + "…")}' is not a reconciliation mode; use full or incremental."),
    };

    public static string NameOf(ReconciliationMode mode) => mode == ReconciliationMode.Incremental ? "incremental" : "full";

    public static V1.DriftReport ToApi(this DriftReport report)
    {
        var api = new V1.DriftReport
        {
            ReportId = report.Id,
            SourceId = report.SourceId,
            Mode = NameOf(report.Mode),
            DryRun = report.DryRun,
            Status = report.Status == DriftReportStatus.Succeeded ? "succeeded" : "failed",
            FailureReason = report.FailureReason ?? string.Empty,
            StartTime = Timestamp.FromDateTimeOffset(report.StartedAt),
            EndTime = Timestamp.FromDateTimeOffset(report.EndedAt),
            AnchorSequence = ToUInt64(report.AnchorSeq),
            RangesChecked = (uint)Math.Max(0, report.RangesChecked),
            RangesTotal = (uint)Math.Max(0, report.RangesTotal),
            SourceDocumentsScanned = ToUInt64(report.SourceDocumentsScanned),
            SourceDocumentsRead = ToUInt64(report.SourceDocumentsRead),
            ExportDocumentsScanned = ToUInt64(report.ExportDocumentsScanned),
            DriftTotal = ToUInt64(report.Counts.Total),
            RepairedCount = ToUInt64(report.Repair?.RepairedCount ?? 0),
            RepairFirstSequence = ToUInt64(report.Repair?.FirstSeq ?? 0),
            RepairLastSequence = ToUInt64(report.Repair?.LastSeq ?? 0),
            RepairSkippedAligned = ToUInt64(report.Repair?.SkippedAligned ?? 0),
            RepairNotRepairable = ToUInt64(report.Repair?.NotRepairable ?? 0),
            KeysPointChecked = ToUInt64(report.KeysPointChecked),
        };
        foreach (var category in DriftCategoryNames.All)
        {
            var section = report.CategoryOf(category);
            var count = new V1.DriftCategoryCount { Category = DriftCategoryNames.NameOf(category), Count = ToUInt64(section.Count) };
            count.FirstKeys.AddRange(section.FirstKeys);
            api.Categories.Add(count);
        }
        if (report.DataQuality is { } quality)
        {
            api.DataQuality = new V1.DriftDataQuality { SchemaSinceSeq = ToUInt64(quality.SchemaSinceSeq), OpenDeadLetters = ToUInt64(quality.OpenDeadLetters) };
            api.DataQuality.FieldsAdded.AddRange(quality.FieldsAdded);
            api.DataQuality.FieldsRemoved.AddRange(quality.FieldsRemoved);
            api.DataQuality.FieldsRetyped.AddRange(quality.FieldsRetyped);
        }
        if (report.Settle is { } settle)
        {
            // Beside drift_total, which counts confirmed drift only: what else the run found different.
            api.Settled = true;
            api.ResolvedInFlight = ToUInt64(settle.ResolvedInFlight);
            api.Unsettled = ToUInt64(settle.Unsettled);
            api.UnsettledKeys.AddRange(settle.FirstUnsettled.Select(u => new V1.UnsettledKey { Key = u.Key, RangeIndex = (uint)Math.Max(0, u.RangeIndex), Reason = u.Reason }));
        }
        return api;
    }

    public static V1.DriftKey ToApi(this DriftItem item) => new()
    {
        Key = item.Key,
        Category = DriftCategoryNames.NameOf(item.Category),
        ExportSequence = ToUInt64(item.ExportSeq ?? 0),
        ExportVersion = item.ExportVersion ?? 0,
        SourceVersion = item.SourceVersion ?? 0,
        InExport = item.ExportSeq is not null,
        InSource = item.SourceVersion is not null || item.SourceContentHash is not null,
    };

    public static V1.DriftEpisode ToApi(this DriftEpisode episode)
    {
        var api = new V1.DriftEpisode
        {
            Key = episode.Key,
            FirstSeen = Timestamp.FromDateTimeOffset(episode.FirstSeen),
            LastSeen = Timestamp.FromDateTimeOffset(episode.LastSeen),
            TimesSeen = ToUInt64(episode.TimesSeen),
            LastCategory = DriftCategoryNames.NameOf(episode.LastCategory),
            LastReportId = episode.LastReportId,
        };
        if (episode.RepairedAt is { } repairedAt)
        {
            api.RepairedAt = Timestamp.FromDateTimeOffset(repairedAt);
        }
        return api;
    }

    public static DateTimeOffset ToTime(Timestamp timestamp, string field)
    {
        try
        {
            return timestamp.ToDateTimeOffset();
        }
        catch (InvalidOperationException)
        {
            throw SnapshotServiceException.InvalidArgument(field, $"{field} is not a valid timestamp (seconds {timestamp.Seconds}, nanos {timestamp.Nanos}); use a time between 0001-01-01 and 9999-12-31 UTC.");
        }
    }

    private static ulong ToUInt64(long value) => value < 0 ? 0UL : (ulong)value;

    public static V1.ReconciliationProgress ToApi(this ReconcileProgress progress) => new()
    {
        ReportId = progress.ReportId,
        RangesDone = (uint)Math.Max(0, progress.RangesDone),
        RangesTotal = (uint)Math.Max(0, progress.RangesTotal),
        SourceDocumentsRead = ToUInt64(progress.SourceDocumentsRead),
        DriftFound = ToUInt64(progress.DriftFound),
        ElapsedSeconds = Math.Max(0, (DateTimeOffset.UtcNow - progress.StartedAt).TotalSeconds),
    };
}
