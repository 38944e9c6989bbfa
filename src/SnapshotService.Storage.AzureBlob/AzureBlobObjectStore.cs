using System.Runtime.CompilerServices;
using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace SnapshotService.Storage.AzureBlob;

/// <summary>
/// The export store on Azure Blob Storage. Put-if-absent is an upload with
/// <c>If-None-Match: *</c> — the service answers 409 when the blob exists, atomically, so two
/// writers racing for a commit number cannot both win (the log's fencing). Replacing uploads
/// whole blobs (a reader sees the old or the new content, never a mix); large objects go up as
/// staged blocks committed at the end by the SDK.
/// </summary>
public sealed class AzureBlobObjectStore : IObjectStore
{
    /// <summary>Objects above this size are uploaded as blocks of this size, in parallel.</summary>
    private const int BlockBytes = 4 * 1024 * 1024;

    private readonly BlobContainerClient _container;
    private readonly string _prefix;
    private volatile bool _containerReady;

    /// <summary>A store on <paramref name="container"/> under <paramref name="prefix"/> (e.g. <c>prod/</c>, or empty).</summary>
    public AzureBlobObjectStore(BlobContainerClient container, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(container);
        _container = container;
        _prefix = NormalizePrefix(prefix);
    }

    /// <inheritdoc />
    public string Description => $"blob:{_container.Uri.GetLeftPart(UriPartial.Path)}/{_prefix}";

    /// <summary>
    /// A store from settings: a connection string, or the service URI with a managed identity
    /// (DefaultAzureCredential, built only on that path so local runs and tests never probe the
    /// cloud's metadata endpoint).
    /// </summary>
    public static AzureBlobObjectStore Create(AzureBlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clientOptions = new BlobClientOptions();
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.MaxRetries = options.MaxRetries;
        BlobServiceClient service;
        if (options.ConnectionString.Length > 0)
        {
            service = new BlobServiceClient(options.ConnectionString, clientOptions);
        }
        else
        {
            var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
            {
                ManagedIdentityClientId = options.ManagedIdentityClientId.Length > 0 ? options.ManagedIdentityClientId : null,
            });
            service = new BlobServiceClient(new Uri(options.ServiceUri), credential, clientOptions);
        }
        return new AzureBlobObjectStore(service.GetBlobContainerClient(options.Container), options.Prefix);
    }

    /// <inheritdoc />
    public async ValueTask<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(key).ConfigureAwait(false);
        try
        {
            await blob.UploadAsync(BinaryData.FromBytes(content), UploadOptions(new BlobRequestConditions { IfNoneMatch = ETag.All }), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return false; // the key exists: someone else created it first
        }
        catch (RequestFailedException e)
        {
            throw Failure("create", key, e);
        }
    }

    /// <inheritdoc />
    public async ValueTask PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(key).ConfigureAwait(false);
        try
        {
            await blob.UploadAsync(BinaryData.FromBytes(content), UploadOptions(null), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e)
        {
            throw Failure("write", key, e);
        }
    }

    /// <summary>Reads an object with its ETag, or null when it does not exist (for <see cref="TryReplaceAsync"/>).</summary>
    public async ValueTask<(byte[] Content, ETag ETag)?> ReadWithETagAsync(string key, CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(key).ConfigureAwait(false);
        try
        {
            var result = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return (result.Value.Content.ToArray(), result.Value.Details.ETag);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e)
        {
            throw Failure("read", key, e);
        }
    }

    /// <summary>Replaces an object only if it still has <paramref name="etag"/> (optimistic concurrency); false when someone changed it since.</summary>
    public async ValueTask<bool> TryReplaceAsync(string key, ReadOnlyMemory<byte> content, ETag etag, CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(key).ConfigureAwait(false);
        try
        {
            await blob.UploadAsync(BinaryData.FromBytes(content), UploadOptions(new BlobRequestConditions { IfMatch = etag }), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return false;
        }
        catch (RequestFailedException e)
        {
            throw Failure("replace", key, e);
        }
    }

    /// <inheritdoc />
    public async ValueTask<byte[]?> ReadAsync(string key, CancellationToken cancellationToken) =>
        (await ReadWithETagAsync(key, cancellationToken).ConfigureAwait(false))?.Content;

    /// <inheritdoc />
    public async ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(key).ConfigureAwait(false);
        try
        {
            return (await blob.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException e)
        {
            throw Failure("check", key, e);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        StoreKeys.ValidatePrefix(prefix);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        // Blob listings come in UTF-8 byte order of the names, which is ordinal order for keys of
        // [a-z0-9._/-] — the order IObjectStore promises.
        await foreach (var item in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, _prefix + prefix, cancellationToken).ConfigureAwait(false))
        {
            yield return new StoredObject(item.Name[_prefix.Length..], item.Properties.ContentLength ?? 0, item.Properties.LastModified ?? DateTimeOffset.MinValue);
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(key).ConfigureAwait(false);
        try
        {
            return (await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException e)
        {
            throw Failure("delete", key, e);
        }
    }

    private async ValueTask<BlobClient> BlobAsync(string key)
    {
        StoreKeys.Validate(key);
        await EnsureContainerAsync(CancellationToken.None).ConfigureAwait(false);
        return _container.GetBlobClient(_prefix + key);
    }

    // Created on first use, and remembered only once it worked: a store that is down at start
    // (or a container deleted by hand) is retried on the next call, not failed forever.
    private async ValueTask EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (_containerReady)
        {
            return;
        }
        try
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e)
        {
            throw new IOException($"The blob export store could not open container '{_container.Name}' ({e.Status} {e.ErrorCode}): {e.Message}", e);
        }
        catch (AggregateException e)
        {
            // The SDK's retries all failed (e.g. the account cannot be reached).
            throw new IOException($"The blob export store could not reach container '{_container.Name}' at {_container.Uri.GetLeftPart(UriPartial.Authority)}: {e.InnerExceptions[^1].Message}", e);
        }
        _containerReady = true;
    }

    private static BlobUploadOptions UploadOptions(BlobRequestConditions? conditions) => new()
    {
        Conditions = conditions,
        TransferOptions = new Azure.Storage.StorageTransferOptions { InitialTransferSize = BlockBytes, MaximumTransferSize = BlockBytes, MaximumConcurrency = 4 },
    };

    private IOException Failure(string what, string key, RequestFailedException e) =>
        new($"The blob export store could not {what} '{key}' in container '{_container.Name}' ({e.Status} {e.ErrorCode}): {e.Message}", e);

    private static string NormalizePrefix(string prefix)
    {
        if (string.IsNullOrEmpty(prefix))
        {
            return "";
        }
        var normalized = prefix.Trim('/') + "/";
        StoreKeys.ValidatePrefix(normalized);
        return normalized;
    }
}
