using System.Security.Cryptography.X509Certificates;
using Azure.Identity;
using Microsoft.Azure.Cosmos;

namespace SnapshotService.Sources.Cosmos;

/// <summary>Builds the SDK client from the options. Entra credentials are created here only, on first use, never in tests.</summary>
public static class CosmosClients
{
    /// <summary>Creates a client for <paramref name="options"/> (validated already).</summary>
    public static CosmosClient Create(CosmosSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clientOptions = new CosmosClientOptions
        {
            ConnectionMode = options.ConnectionMode == CosmosConnectionMode.Gateway ? ConnectionMode.Gateway : ConnectionMode.Direct,
            LimitToEndpoint = options.LimitToEndpoint,
            MaxRetryAttemptsOnRateLimitedRequests = options.MaxRateLimitRetries,
            MaxRetryWaitTimeOnRateLimitedRequests = options.MaxRateLimitWait,
            RequestTimeout = options.RequestTimeout,
            ApplicationName = "SnapshotService",
        };
        if (options.ServerCertificateThumbprint is { Length: > 0 } thumbprint)
        {
            // Test switch (validated: loopback endpoints only): exactly one self-signed certificate.
            clientOptions.ServerCertificateCustomValidationCallback = (certificate, _, _) =>
                string.Equals(certificate.GetCertHashString(), thumbprint, StringComparison.OrdinalIgnoreCase);
        }
        return options.AuthMode == CosmosAuthMode.Key
            ? new CosmosClient(options.Endpoint, options.Key, clientOptions)
            : new CosmosClient(options.Endpoint, new DefaultAzureCredential(), clientOptions);
    }

    /// <summary>The SHA-1 thumbprint form <see cref="CosmosSourceOptions.ServerCertificateThumbprint"/> takes.</summary>
    public static string ThumbprintOf(X509Certificate certificate) => certificate.GetCertHashString();
}
