namespace SnapshotService.Storage.AzureBlob;

/// <summary>Where the blob export store lives and how it authenticates (<c>SnapshotService:Export:AzureBlob</c>).</summary>
public sealed class AzureBlobStoreOptions
{
    /// <summary>The account's blob endpoint, e.g. <c>https://ACCOUNT.blob.core.windows.net</c>; authenticates with managed identity.</summary>
    public string ServiceUri { get; set; } = "";

    /// <summary>With <see cref="ServiceUri"/>: the client id of a user-assigned identity (empty: the default credential chain).</summary>
    public string ManagedIdentityClientId { get; set; } = "";

    /// <summary>Instead of <see cref="ServiceUri"/>: a connection string (Azurite, local development). A secret.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>The container (3-63 characters of lowercase letters, digits and single hyphens); created if missing.</summary>
    public string Container { get; set; } = "";

    /// <summary>Retries of a failed request (exponential backoff) before an operation fails; capture then restarts with its own backoff.</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>Optional key prefix inside the container (several deployments sharing one container).</summary>
    public string Prefix { get; set; } = "";
}
