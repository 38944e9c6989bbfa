using System.Text.Encodings.Web;
using System.Text.Json;

namespace SnapshotService.Reconciliation.Reports;

/// <summary>JSON form (format v1, snake_case) of <c>reports/runs/{id}.json</c>.</summary>
internal static class DriftReportJson
{
    internal static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // files, not HTML: keep keys readable
    };

    public static byte[] Encode(DriftReport r) => JsonSerializer.SerializeToUtf8Bytes(
        new ReportDto(
            1, r.Id, r.SourceId, r.Mode == ReconciliationMode.Full ? "full" : "incremental", r.DryRun, r.StartedAt, r.EndedAt, r.AnchorSeq,
            r.RangesChecked, r.RangesTotal, r.SourceDocumentsScanned, r.SourceDocumentsRead, r.ExportDocumentsScanned,
            [.. r.Categories.Select(c => new CategoryDto(DriftCategoryNames.NameOf(c.Category), c.Count, [.. c.FirstKeys], [.. c.Parts.Select(p => new PartDto(p.Name, p.Count))]))],
            r.Repair?.RepairedCount, r.Repair?.FirstSeq, r.Repair?.LastSeq, r.Repair?.SkippedAligned, r.Repair?.NotRepairable,
            r.Status == DriftReportStatus.Succeeded ? "succeeded" : "failed", r.FailureReason, r.KeysPointChecked,
            r.DataQuality is { } q ? new QualityDto(q.SchemaSinceSeq, [.. q.FieldsAdded], [.. q.FieldsRemoved], [.. q.FieldsRetyped], q.OpenDeadLetters) : null,
            r.Settle is { } settle ? new SettleDto(settle.ResolvedInFlight, settle.Unsettled, [.. settle.FirstUnsettled.Select(u => new UnsettledDto(u.Key, u.RangeIndex, u.Reason))]) : null),
        Options);

    public static DriftReport Decode(string key, ReadOnlySpan<byte> json)
    {
        ReportDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize<ReportDto>(json, Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Drift report '{key}' is not valid JSON: {e.Message}", e);
        }
        if (dto is null || dto.Format != 1 || dto.Id is null || dto.SourceId is null || dto.Categories is null
            || dto.Mode is not ("full" or "incremental") || dto.Status is not ("succeeded" or "failed"))
        {
            throw new InvalidDataException($"Drift report '{key}' is malformed or has an unknown format (expected format 1 with id, source_id, mode, status and categories).");
        }
        var categories = new List<DriftCategoryReport>(dto.Categories.Count);
        foreach (var c in dto.Categories)
        {
            var category = DriftCategoryNames.TryParse(c.Category)
                ?? throw new InvalidDataException($"Drift report '{key}' names an unknown category '{c.Category}'.");
            categories.Add(new DriftCategoryReport(category, c.Count, c.FirstKeys ?? [], [.. (c.Parts ?? []).Select(p => new DriftKeyPart(p.Name, p.Count))]));
        }
        var counts = new DriftCounts(Count(DriftCategory.MissingInExport), Count(DriftCategory.ExtraInExport), Count(DriftCategory.ContentMismatch), Count(DriftCategory.VersionRegression));
        var repair = dto.RepairedCount is { } repaired ? new DriftRepairSummary(repaired, dto.RepairFirstSeq, dto.RepairLastSeq, dto.RepairSkippedAligned ?? 0, dto.RepairNotRepairable ?? 0) : null;
        return new DriftReport(
            dto.Id, dto.SourceId, dto.Mode == "full" ? ReconciliationMode.Full : ReconciliationMode.Incremental, dto.DryRun, dto.StartedAt, dto.EndedAt, dto.AnchorSeq,
            dto.RangesChecked, dto.RangesTotal, dto.SourceDocumentsScanned, dto.SourceDocumentsRead, dto.ExportDocumentsScanned,
            counts, categories, repair, dto.Status == "succeeded" ? DriftReportStatus.Succeeded : DriftReportStatus.Failed, dto.FailureReason)
        {
            KeysPointChecked = dto.KeysPointChecked ?? 0,
            DataQuality = dto.DataQuality is { } q
                ? new DriftDataQuality(q.SchemaSinceSeq, q.FieldsAdded ?? [], q.FieldsRemoved ?? [], q.FieldsRetyped ?? [], q.OpenDeadLetters)
                : null,
            Settle = dto.Settle is { } settle
                ? new DriftSettleSummary(settle.ResolvedInFlight, settle.Unsettled, [.. (settle.FirstUnsettled ?? []).Select(u => new UnsettledKey(u.Key, u.RangeIndex, u.Reason))])
                : null,
        };

        long Count(DriftCategory category) => categories.FirstOrDefault(c => c.Category == category)?.Count ?? 0;
    }

    private sealed record PartDto(string Name, long Count);

    private sealed record QualityDto(long SchemaSinceSeq, List<string>? FieldsAdded, List<string>? FieldsRemoved, List<string>? FieldsRetyped, long OpenDeadLetters);

    private sealed record UnsettledDto(string Key, int RangeIndex, string Reason);

    private sealed record SettleDto(long ResolvedInFlight, long Unsettled, List<UnsettledDto>? FirstUnsettled);

    private sealed record CategoryDto(string Category, long Count, List<string>? FirstKeys, List<PartDto>? Parts);

    private sealed record ReportDto(
        int Format, string? Id, string? SourceId, string? Mode, bool DryRun, DateTimeOffset StartedAt, DateTimeOffset EndedAt, long AnchorSeq,
        int RangesChecked, int RangesTotal, long SourceDocumentsScanned, long SourceDocumentsRead, long ExportDocumentsScanned,
        List<CategoryDto>? Categories, long? RepairedCount, long? RepairFirstSeq, long? RepairLastSeq, long? RepairSkippedAligned, long? RepairNotRepairable, string? Status, string? FailureReason, long? KeysPointChecked, QualityDto? DataQuality = null, SettleDto? Settle = null);
}
