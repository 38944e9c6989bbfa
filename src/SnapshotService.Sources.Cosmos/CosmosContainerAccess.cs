using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Azure.Cosmos;

namespace SnapshotService.Sources.Cosmos;

/// <summary>
/// A container with its partition key paths: key-ordered scans and point reads, shared by the
/// source (reconciliation) and the restore target.
/// </summary>
internal sealed class CosmosContainerAccess
{
    private readonly string _sourceId;
    private readonly CosmosSourceOptions _options;

    private CosmosContainerAccess(string sourceId, CosmosSourceOptions options, Container container, CosmosKeys keys)
    {
        _sourceId = sourceId;
        _options = options;
        Container = container;
        Keys = keys;
    }

    public Container Container { get; }

    public CosmosKeys Keys { get; }

    /// <summary>Reads the container's properties (its partition key paths); retries transient failures, fails clearly otherwise.</summary>
    public static async Task<CosmosContainerAccess> OpenAsync(string sourceId, CosmosSourceOptions options, Container container, CancellationToken cancellationToken)
    {
        var retry = new CosmosRetry(options);
        while (true)
        {
            try
            {
                var response = await container.ReadContainerAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                var paths = response.Resource.PartitionKeyPaths is { Count: > 0 } many ? many : [response.Resource.PartitionKeyPath ?? "/id"];
                return new CosmosContainerAccess(sourceId, options, container, new CosmosKeys([.. paths]));
            }
            catch (CosmosException ex) when (!CosmosErrors.IsTransient(ex))
            {
                throw new CosmosSourceException(CosmosErrors.Describe(sourceId, options, ex.StatusCode, ex.SubStatusCode, ex.ResponseBody ?? ex.Message), ex.StatusCode, ex);
            }
            catch (Exception ex) when (CosmosErrors.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                if (!await retry.WaitAsync((ex as CosmosException)?.RetryAfter, cancellationToken).ConfigureAwait(false))
                {
                    throw new CosmosSourceException($"Cosmos DB source '{sourceId}': {options.Endpoint} is unreachable or failing after {retry.Attempts} retries: {ex.Message}", null, ex);
                }
            }
        }
    }

    /// <summary>
    /// Documents with keys in <paramref name="range"/>, in ordinal key order: <c>ORDER BY c.id</c>
    /// within the range's id bounds (the SDK merges the feed ranges), equal ids sorted by partition
    /// key in memory, the exact bounds applied here. The order is checked: if the service's string
    /// order ever disagrees with ordinal order (ids outside the characters it orders like .NET), the
    /// scan fails instead of handing reconciliation a wrongly ordered stream.
    /// </summary>
    public async IAsyncEnumerable<SourceDocument> ScanAsync(KeyRange range, RequestUnitBudget budget, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var conditions = new List<string>();
        var query = new QueryDefinition("SELECT * FROM c");
        if (range.StartInclusive is { } start)
        {
            conditions.Add("c.id >= @lo");
        }
        if (range.EndExclusive is { } end)
        {
            // A composite end bound "id\0pk" still admits that id with smaller partition keys.
            conditions.Add(Keys.IdPart(end).Length == end.Length ? "c.id < @hi" : "c.id <= @hi");
        }
        var text = "SELECT * FROM c" + (conditions.Count > 0 ? " WHERE " + string.Join(" AND ", conditions) : "") + " ORDER BY c.id";
        query = new QueryDefinition(text);
        if (range.StartInclusive is { } lo)
        {
            query = query.WithParameter("@lo", Keys.IdPart(lo));
        }
        if (range.EndExclusive is { } hi)
        {
            query = query.WithParameter("@hi", Keys.IdPart(hi));
        }
        var group = new List<SourceDocument>();
        string? previous = null;
        await foreach (var item in QueryAsync(query, budget, cancellationToken).ConfigureAwait(false))
        {
            var document = CosmosDocuments.ToSourceDocument(item.RootElement, Keys);
            item.Dispose();
            if (group.Count > 0 && Keys.IdPart(group[0].Key) != Keys.IdPart(document.Key))
            {
                foreach (var ready in Flush(group, range))
                {
                    previous = CheckOrder(previous, ready.Key);
                    yield return ready;
                }
            }
            group.Add(document);
        }
        foreach (var ready in Flush(group, range))
        {
            previous = CheckOrder(previous, ready.Key);
            yield return ready;
        }
    }

    /// <summary>Point reads of <paramref name="keys"/> (absent keys are left out), several in flight, each charge paid to <paramref name="budget"/>.</summary>
    public async Task<List<SourceDocument>> ReadAsync(IReadOnlyList<string> keys, RequestUnitBudget budget, CancellationToken cancellationToken)
    {
        var found = new SourceDocument?[keys.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, keys.Count), new ParallelOptions { MaxDegreeOfParallelism = _options.PointReadConcurrency, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var (id, partitionKey) = Keys.Parse(keys[i]);
            using var response = await WithRetryAsync(() => Container.ReadItemStreamAsync(id, partitionKey, cancellationToken: ct), ct).ConfigureAwait(false);
            await budget.PayAsync(response.Headers.RequestCharge, ct).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound && CosmosErrors.SubStatus(response) == 0)
            {
                return;
            }
            ThrowIfFailed(response);
            using var document = await JsonDocument.ParseAsync(response.Content, cancellationToken: ct).ConfigureAwait(false);
            found[i] = CosmosDocuments.ToSourceDocument(document.RootElement, Keys);
        }).ConfigureAwait(false);
        return [.. found.OfType<SourceDocument>()];
    }

    /// <summary>Runs a query to its end, one parsed item at a time (the caller disposes each).</summary>
    public async IAsyncEnumerable<JsonDocument> QueryAsync(QueryDefinition query, RequestUnitBudget budget, [EnumeratorCancellation] CancellationToken cancellationToken, int? maxItemCount = null)
    {
        // One iterator for the whole query: for ORDER BY across feed ranges the SDK keeps a cursor per range and merges them.
        using var iterator = Container.GetItemQueryStreamIterator(query, null, new QueryRequestOptions { MaxItemCount = maxItemCount ?? _options.MaxItemCount });
        while (iterator.HasMoreResults)
        {
            using var response = await WithRetryAsync(() => iterator.ReadNextAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
            ThrowIfFailed(response);
            await budget.PayAsync(response.Headers.RequestCharge, cancellationToken).ConfigureAwait(false);
            using var page = await JsonDocument.ParseAsync(response.Content, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var item in page.RootElement.GetProperty("Documents").EnumerateArray())
            {
                yield return JsonDocument.Parse(item.GetRawText());
            }
        }
    }

    /// <summary>Runs an SDK call, retrying transient answers and exceptions with backoff (the SDK already retried 429s).</summary>
    public async Task<ResponseMessage> WithRetryAsync(Func<Task<ResponseMessage>> call, CancellationToken cancellationToken)
    {
        var retry = new CosmosRetry(_options);
        while (true)
        {
            try
            {
                var response = await call().ConfigureAwait(false);
                if (response.IsSuccessStatusCode || !CosmosErrors.IsTransient(response.StatusCode, CosmosErrors.SubStatus(response)))
                {
                    return response;
                }
                var retryAfter = CosmosErrors.RetryAfter(response);
                var status = response.StatusCode;
                response.Dispose();
                if (!await retry.WaitAsync(retryAfter, cancellationToken).ConfigureAwait(false))
                {
                    throw new CosmosSourceException($"Cosmos DB source '{_sourceId}': still answering {(int)status} after {retry.Attempts} retries.", status);
                }
            }
            catch (Exception ex) when (CosmosErrors.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                if (!await retry.WaitAsync((ex as CosmosException)?.RetryAfter, cancellationToken).ConfigureAwait(false))
                {
                    throw new CosmosSourceException($"Cosmos DB source '{_sourceId}': {_options.Endpoint} is unreachable or failing after {retry.Attempts} retries: {ex.Message}", null, ex);
                }
            }
        }
    }

    /// <summary>Throws a <see cref="CosmosSourceException"/> with an actionable reason for a failed answer.</summary>
    public void ThrowIfFailed(ResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new CosmosSourceException(CosmosErrors.Describe(_sourceId, _options, response.StatusCode, CosmosErrors.SubStatus(response), response.ErrorMessage), response.StatusCode);
        }
    }

    private static IEnumerable<SourceDocument> Flush(List<SourceDocument> group, KeyRange range)
    {
        group.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var ready = group.Where(d => range.Contains(d.Key)).ToList();
        group.Clear();
        return ready;
    }

    private string CheckOrder(string? previous, string key)
    {
        if (previous is not null && string.CompareOrdinal(previous, key) >= 0)
        {
            throw new InvalidOperationException($"Cosmos DB source '{_sourceId}': ORDER BY c.id returned '{key}' after '{previous}', which is not ordinal order; reconciliation needs ordinal key order (ids with characters the service orders differently are not supported).");
        }
        return key;
    }
}

/// <summary>A Cosmos DB failure the adapter does not retry (or gave up retrying), with a reason a user can act on.</summary>
public sealed class CosmosSourceException(string message, HttpStatusCode? statusCode = null, Exception? innerException = null) : Exception(message, innerException)
{
    /// <summary>The HTTP status the service answered, when there was an answer.</summary>
    public HttpStatusCode? StatusCode { get; } = statusCode;
}
