using System.Net;
using Microsoft.Azure.Cosmos;

namespace SnapshotService.Sources.Cosmos;

/// <summary>Sorts SDK failures into "retry with backoff" and "fail the source with a reason a user can act on".</summary>
internal static class CosmosErrors
{
    /// <summary>True for failures that usually pass: throttling the SDK gave up on, 503, timeouts, dropped connections.</summary>
    public static bool IsTransient(Exception ex) => ex switch
    {
        CosmosException c => IsTransient(c.StatusCode, c.SubStatusCode),
        HttpRequestException or IOException or TimeoutException => true,
        _ => false,
    };

    public static bool IsTransient(HttpStatusCode status, int subStatus) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.RequestTimeout
            or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout
            or (HttpStatusCode)449 // retry with (write conflict on the replica)
        || (status == HttpStatusCode.Gone && subStatus != 0);

    /// <summary>The answer's x-ms-substatus (0 when absent).</summary>
    public static int SubStatus(ResponseMessage response) =>
        int.TryParse(response.Headers["x-ms-substatus"], out var value) ? value : 0;

    /// <summary>The answer's x-ms-retry-after-ms, when the service named one.</summary>
    public static TimeSpan? RetryAfter(ResponseMessage response) =>
        double.TryParse(response.Headers["x-ms-retry-after-ms"], System.Globalization.CultureInfo.InvariantCulture, out var ms) ? TimeSpan.FromMilliseconds(ms) : null;

    /// <summary>The reason for a failure that is not transient, naming the source, what went wrong and what to do.</summary>
    public static string Describe(string sourceId, CosmosSourceOptions options, HttpStatusCode status, int subStatus, string? message)
    {
        var where = $"{options.Endpoint} database '{options.Database}' container '{options.Container}'";
        var detail = string.IsNullOrWhiteSpace(message) ? "" : $" ({FirstLine(message)})";
        return status switch
        {
            HttpStatusCode.Unauthorized => $"Cosmos DB source '{sourceId}': {where} refused the credentials (401){detail}. " +
                (options.AuthMode == CosmosAuthMode.Key ? "Check SnapshotService:Sources:" + sourceId + ":Cosmos:Key." : "Check that the managed identity / DefaultAzureCredential resolves and the account allows Entra ID auth."),
            HttpStatusCode.Forbidden => $"Cosmos DB source '{sourceId}': {where} denied access (403/{subStatus}){detail}. " +
                "Grant the identity the data-plane role 'Cosmos DB Built-in Data Reader' (capture, reconciliation) or 'Cosmos DB Built-in Data Contributor' (restore) on the account, and check the account's firewall.",
            HttpStatusCode.NotFound => $"Cosmos DB source '{sourceId}': {where} does not exist (404){detail}. Create it, or fix SnapshotService:Sources:{sourceId}:Cosmos:Database / Container.",
            HttpStatusCode.BadRequest when message?.Contains("must be enabled", StringComparison.OrdinalIgnoreCase) == true =>
                $"Cosmos DB source '{sourceId}': the account does not have the change feed mode AllVersionsAndDeletes enabled{detail}. " +
                $"Enable continuous backup and the all-versions-and-deletes change feed on the account, or set SnapshotService:Sources:{sourceId}:Cosmos:Mode to LatestVersion (deletes are then found by reconciliation).",
            _ => $"Cosmos DB source '{sourceId}': {where} answered {(int)status}/{subStatus}{detail}.",
        };
    }

    private static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length <= 300 ? line : line[..300] + "…";
    }
}

/// <summary>Exponential backoff with full jitter, bounded by the options' retry settings.</summary>
internal sealed class CosmosRetry(CosmosSourceOptions options)
{
    private int _attempt;

    /// <summary>Consecutive failures so far.</summary>
    public int Attempts => _attempt;

    /// <summary>Call after a success: the next failure starts from the base delay again.</summary>
    public void Reset() => _attempt = 0;

    /// <summary>False when the retries are used up; otherwise waits the next delay (or <paramref name="retryAfter"/> when the server named one).</summary>
    public async ValueTask<bool> WaitAsync(TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        if (_attempt >= options.MaxRetries)
        {
            return false;
        }
        _attempt++;
        var cap = Math.Min(options.RetryMaxDelay.TotalMilliseconds, options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, _attempt - 1));
        var delay = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * cap);
        if (retryAfter is { } after && after > delay)
        {
            delay = after;
        }
        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
