using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using SnapshotService.Restore;

namespace SnapshotService.Sources.Cosmos;

/// <summary>
/// A container to restore into: one upsert or delete per document (several in flight), idempotent
/// (a re-run upserts the same content; deleting a missing key is ignored), read back in key order
/// with the source's scan. Single operations rather than bulk or transactional batch: the test
/// server cannot read the SDK's binary batch format, and single upserts retry independently. Needs
/// the 'Cosmos DB Built-in Data Contributor' role. The container must exist with the source's
/// partition key path.
/// </summary>
public sealed class CosmosRestoreTarget : IRestoreTarget, IAsyncDisposable
{
    private readonly CosmosSourceOptions _options;
    private readonly CosmosClient _client;
    private readonly bool _ownsClient;
    private readonly RequestUnitBudget _budget = new(0);
    private readonly Lock _gate = new();
    private Task<CosmosContainerAccess>? _open;

    /// <summary>Creates the target for <paramref name="container"/> in the database and account of <paramref name="sourceOptions"/>.</summary>
    public CosmosRestoreTarget(CosmosSourceOptions sourceOptions, string container, CosmosClient? client = null)
    {
        ArgumentNullException.ThrowIfNull(sourceOptions);
        ArgumentException.ThrowIfNullOrEmpty(container);
        _options = sourceOptions.Clone();
        _options.Container = container;
        _ownsClient = client is null;
        _client = client ?? CosmosClients.Create(_options);
    }

    /// <inheritdoc />
    public string Description => $"cosmosdb:{_options.Database}/{_options.Container}";

    /// <inheritdoc />
    public async ValueTask UpsertAsync(IReadOnlyList<RestoreDocument> documents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var access = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await Parallel.ForEachAsync(documents, new ParallelOptions { MaxDegreeOfParallelism = _options.PointReadConcurrency, CancellationToken = cancellationToken }, async (document, ct) =>
        {
            using var parsed = JsonDocument.Parse(document.Document);
            var partitionKey = access.Keys.ToPartitionKey(access.Keys.PartitionKeyJson(parsed.RootElement));
            using var response = await access.WithRetryAsync(() => access.Container.UpsertItemStreamAsync(new MemoryStream(document.Document.ToArray(), writable: false), partitionKey, cancellationToken: ct), ct).ConfigureAwait(false);
            access.ThrowIfFailed(response);
        }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var access = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = _options.PointReadConcurrency, CancellationToken = cancellationToken }, async (key, ct) =>
        {
            var (id, partitionKey) = access.Keys.Parse(key);
            using var response = await access.WithRetryAsync(() => access.Container.DeleteItemStreamAsync(id, partitionKey, cancellationToken: ct), ct).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                access.ThrowIfFailed(response);
            }
        }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RestoreDocument> ScanAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var access = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var document in access.ScanAsync(KeyRange.All, _budget, cancellationToken).ConfigureAwait(false))
        {
            yield return new RestoreDocument(document.Key, document.PartitionKey, document.Document);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    private Task<CosmosContainerAccess> OpenAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_open is null || _open.IsFaulted || _open.IsCanceled)
            {
                _open = CosmosContainerAccess.OpenAsync("restore", _options, _client.GetContainer(_options.Database, _options.Container), cancellationToken);
            }
            return _open;
        }
    }
}
