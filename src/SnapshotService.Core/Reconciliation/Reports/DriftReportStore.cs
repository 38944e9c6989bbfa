using System.Globalization;
using System.Runtime.CompilerServices;
using SnapshotService.Errors;
using SnapshotService.Paging;
using SnapshotService.Storage;

namespace SnapshotService.Reconciliation.Reports;

/// <summary>Filters and paging of <see cref="DriftReportStore.ListAsync"/>.</summary>
/// <param name="OnlyDrift">Only reports that found at least one drifted key.</param>
/// <param name="Since">Only reports of runs started at or after this time.</param>
/// <param name="PageSize">1..1000; 0 means 100.</param>
/// <param name="PageToken">The previous page's next_page_token, or null for the first page.</param>
public sealed record DriftReportQuery(bool OnlyDrift = false, DateTimeOffset? Since = null, int PageSize = 0, string? PageToken = null);

/// <summary>One page of reports, newest first.</summary>
/// <param name="Reports">The reports.</param>
/// <param name="NextPageToken">Token of the next page, or null when this is the last.</param>
public sealed record DriftReportPage(IReadOnlyList<DriftReport> Reports, string? NextPageToken);

/// <summary>One page of a report's drift items of one category, in the order the run found them.</summary>
/// <param name="Items">The items.</param>
/// <param name="Total">Items of the category in the report.</param>
/// <param name="NextPageToken">Token of the next page, or null when this is the last.</param>
public sealed record DriftKeyPage(IReadOnlyList<DriftItem> Items, long Total, string? NextPageToken);

/// <summary>
/// Reads drift reports under <c>sources/{id}/reports/</c>. Only documents count: key parts of a
/// run that crashed before its document was written are invisible here.
/// </summary>
public sealed class DriftReportStore(IObjectStore store)
{
    /// <summary>The object store.</summary>
    public IObjectStore Store { get; } = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>Reads one report; NotFound naming report_id when absent, InvalidArgument naming report_id when malformed.</summary>
    public async Task<DriftReport> GetAsync(string sourceId, string reportId, CancellationToken cancellationToken)
    {
        SourceIds.Validate(sourceId);
        if (DriftReportIds.Check(reportId) is { } problem)
        {
            throw SnapshotServiceException.InvalidArgument("report_id", problem);
        }
        var key = StoreKeys.DriftReport(sourceId, reportId);
        var bytes = await Store.ReadAsync(key, cancellationToken).ConfigureAwait(false)
            ?? throw SnapshotServiceException.NotFound($"drift report '{reportId}' of source '{sourceId}' does not exist; ListDriftReports shows the existing ones.", "report_id");
        return DriftReportJson.Decode(key, bytes);
    }

    /// <summary>
    /// Lists reports newest first, filtered by <see cref="DriftReportQuery.OnlyDrift"/> and
    /// <see cref="DriftReportQuery.Since"/>. Bad page_size or page_token → InvalidArgument naming the field.
    /// </summary>
    /// <remarks>Lists <c>reports/runs/</c> (report documents only) and reads documents, newest first, until the page is full.</remarks>
    public async Task<DriftReportPage> ListAsync(string sourceId, DriftReportQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        SourceIds.Validate(sourceId);
        var pageSize = PageTokens.NormalizePageSize(query.PageSize);
        var before = PageTokens.Decode(query.PageToken, DriftReportIds.IsValid);

        var ids = new List<string>();
        var prefix = StoreKeys.DriftReportsPrefix(sourceId);
        await foreach (var item in Store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            var name = item.Key.AsSpan(prefix.Length);
            if (name.EndsWith(".json", StringComparison.Ordinal) && name.IndexOf('/') < 0)
            {
                var id = name[..^".json".Length].ToString();
                if (DriftReportIds.IsValid(id) && (before is null || string.CompareOrdinal(id, before) < 0))
                {
                    ids.Add(id);
                }
            }
        }

        var reports = new List<DriftReport>(Math.Min(pageSize, ids.Count));
        var next = -1;
        for (var i = ids.Count - 1; i >= 0; i--)
        {
            // Ids carry their creation time and a run's started_at is less than 1 ms after it: an
            // id older than Since by 1 ms or more ends the scan, without reading the older documents.
            if (query.Since is { } since && DriftReportIds.TimeOf(ids[i]).AddMilliseconds(1) <= since)
            {
                break;
            }
            if (reports.Count == pageSize)
            {
                next = i;
                break;
            }
            var key = StoreKeys.DriftReport(sourceId, ids[i]);
            var bytes = await Store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
            if (bytes is null)
            {
                continue;
            }
            var report = DriftReportJson.Decode(key, bytes);
            if ((!query.OnlyDrift || report.HasDrift) && (query.Since is null || report.StartedAt >= query.Since))
            {
                reports.Add(report);
            }
        }
        return new DriftReportPage(reports, next >= 0 ? PageTokens.Encode(reports[^1].Id) : null);
    }

    /// <summary>
    /// Pages through the full key list of one category of a report. page_size 1..1000 (0 = 100);
    /// bad values name their field (report_id, category, page_size, page_token).
    /// </summary>
    public async Task<DriftKeyPage> ListKeysAsync(string sourceId, string reportId, DriftCategory category, int pageSize, string? pageToken, CancellationToken cancellationToken)
    {
        pageSize = PageTokens.NormalizePageSize(pageSize);
        var report = await GetAsync(sourceId, reportId, cancellationToken).ConfigureAwait(false);
        var section = report.CategoryOf(category);
        var categoryName = DriftCategoryNames.NameOf(category);
        var position = PageTokens.Decode(pageToken, p => TryParseKeyPosition(p, categoryName, section.Count, out _));
        var offset = 0L;
        if (position is not null)
        {
            TryParseKeyPosition(position, categoryName, section.Count, out offset);
        }

        var items = new List<DriftItem>(pageSize);
        var partStart = 0L;
        foreach (var part in section.Parts)
        {
            if (items.Count == pageSize)
            {
                break;
            }
            if (partStart + part.Count <= offset)
            {
                partStart += part.Count;
                continue;
            }
            var skip = offset - partStart;
            await foreach (var item in ReadPartAsync(sourceId, part, cancellationToken).ConfigureAwait(false))
            {
                if (skip > 0)
                {
                    skip--;
                    continue;
                }
                items.Add(item);
                if (items.Count == pageSize)
                {
                    break;
                }
            }
            partStart += part.Count;
        }
        var end = offset + items.Count;
        return new DriftKeyPage(items, section.Count, end < section.Count ? PageTokens.Encode(categoryName + ":" + end.ToString(CultureInfo.InvariantCulture)) : null);
    }

    /// <summary>Every drift item of a report, category by category (for merging episodes); one part in memory at a time.</summary>
    internal async IAsyncEnumerable<DriftItem> ReadAllItemsAsync(DriftReport report, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var section in report.Categories)
        {
            foreach (var part in section.Parts)
            {
                await foreach (var item in ReadPartAsync(report.SourceId, part, cancellationToken).ConfigureAwait(false))
                {
                    yield return item;
                }
            }
        }
    }

    private async IAsyncEnumerable<DriftItem> ReadPartAsync(string sourceId, DriftKeyPart part, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var key = StoreKeys.InSource(sourceId, part.Name);
        var bytes = await Store.ReadAsync(key, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"Drift key part '{key}' named by its report is missing; the report's key list is damaged.");
        foreach (var item in DriftKeyFileCodec.Decode(key, bytes))
        {
            yield return item;
        }
    }

    private static bool TryParseKeyPosition(string position, string categoryName, long total, out long offset)
    {
        offset = 0;
        return position.StartsWith(categoryName + ":", StringComparison.Ordinal)
            && long.TryParse(position.AsSpan(categoryName.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out offset)
            && offset <= total;
    }
}
