namespace SnapshotService.Sources.Cosmos;

/// <summary>How the adapter authenticates to the account.</summary>
public enum CosmosAuthMode
{
    /// <summary>An account key (<see cref="CosmosSourceOptions.Key"/>): emulators and tests.</summary>
    Key = 0,

    /// <summary>Microsoft Entra ID through DefaultAzureCredential (managed identity in Azure); needs a data-plane RBAC role.</summary>
    Entra = 1,
}

/// <summary>Which change feed the adapter reads.</summary>
public enum CosmosFeedMode
{
    /// <summary>
    /// The latest version of each changed document; deletes are NOT in this feed. A delete is found
    /// by the next reconciliation and written to the export as a repair tombstone.
    /// </summary>
    LatestVersion = 0,

    /// <summary>Every create, replace and delete (needs continuous backup and the mode enabled on the account).</summary>
    AllVersionsAndDeletes = 1,
}

/// <summary>Where capture starts when the export has no position yet.</summary>
public enum CosmosStartFrom
{
    /// <summary>Every document (initial load): the feed from the beginning, or a backfill in all-versions mode.</summary>
    Beginning = 0,

    /// <summary>Only changes after the first read of each feed range.</summary>
    Now = 1,

    /// <summary>Changes since <see cref="CosmosSourceOptions.StartTime"/> (LatestVersion only).</summary>
    Time = 2,
}

/// <summary>How the SDK connects.</summary>
public enum CosmosConnectionMode
{
    /// <summary>TCP to the replicas (production default: fewer hops, lower RU latency).</summary>
    Direct = 0,

    /// <summary>HTTPS through the account's gateway (emulators, the test server, restrictive networks).</summary>
    Gateway = 1,
}

/// <summary>
/// Settings of one Cosmos DB source: <c>SnapshotService:Sources:{id}:Cosmos</c>. Static problems are
/// found by <see cref="Validate"/> at host start; problems that need the account (unreachable,
/// authentication, missing container, all-versions mode not enabled) fail only that source at run
/// time, with the reason.
/// </summary>
public sealed class CosmosSourceOptions
{
    /// <summary>The account endpoint, e.g. <c>https://myaccount.documents.azure.com:443/</c>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The database id.</summary>
    public string? Database { get; set; }

    /// <summary>The container id.</summary>
    public string? Container { get; set; }

    /// <summary>Key (emulator, tests) or Entra (DefaultAzureCredential). Default Entra: no secrets in Azure.</summary>
    public CosmosAuthMode AuthMode { get; set; } = CosmosAuthMode.Entra;

    /// <summary>The account key when <see cref="AuthMode"/> is Key. Keep it in a secret store, not in appsettings.</summary>
    public string? Key { get; set; }

    /// <summary>The change feed mode. Default LatestVersion (deletes only through reconciliation).</summary>
    public CosmosFeedMode Mode { get; set; } = CosmosFeedMode.LatestVersion;

    /// <summary>
    /// How long the account keeps all-versions history (its continuous-backup tier: 7 or 30 days).
    /// In AllVersionsAndDeletes mode, history headroom = this minus how far the slowest feed range is
    /// behind; beyond it the feed has lost changes. Not used in LatestVersion mode (its feed keeps
    /// the latest version of every document, so it cannot lose history).
    /// </summary>
    public TimeSpan AllVersionsRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Where capture starts on an empty export. Default Beginning.</summary>
    public CosmosStartFrom StartFrom { get; set; } = CosmosStartFrom.Beginning;

    /// <summary>The start time when <see cref="StartFrom"/> is Time.</summary>
    public DateTimeOffset? StartTime { get; set; }

    /// <summary>Items per change feed page and query page (one request, one RU charge each). Default 100.</summary>
    public int MaxItemCount { get; set; } = 100;

    /// <summary>How long a feed range's reader waits after an empty (304) answer before asking again. Default 1 s; each poll costs ~1 RU.</summary>
    public TimeSpan PollDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Request units per second that reconciliation scans and point reads may spend (0 = no limit). Default 500.</summary>
    public double MaxRequestUnitsPerSecond { get; set; } = 500;

    /// <summary>
    /// How far this host's clock may be ahead of the service's: a point read's ReadVersion is
    /// "read start minus this", so a repair tombstone never hides a write made during the read.
    /// Deletes of documents written within this window are repaired by the next run. Default 5 s.
    /// </summary>
    public TimeSpan ClockSkewAllowance { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Point reads in flight at once for ReadKeys and keyed backfill. Default 8.</summary>
    public int PointReadConcurrency { get; set; } = 8;

    /// <summary>How many times a transient error (503, timeout, dropped connection) is retried before the source fails. Default 8.</summary>
    public int MaxRetries { get; set; } = 8;

    /// <summary>The first retry delay; doubled per attempt with full jitter. Default 200 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest single retry delay. Default 10 s.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the SDK itself retries a 429 (honouring x-ms-retry-after-ms) before the adapter's own backoff takes over. Default 9.</summary>
    public int MaxRateLimitRetries { get; set; } = 9;

    /// <summary>The longest the SDK waits in total on 429s for one request. Default 30 s.</summary>
    public TimeSpan MaxRateLimitWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The SDK's request timeout. Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Direct (default) or Gateway.</summary>
    public CosmosConnectionMode ConnectionMode { get; set; } = CosmosConnectionMode.Direct;

    /// <summary>Test/emulator switch: use only <see cref="Endpoint"/> (no regional endpoints). Default false.</summary>
    public bool LimitToEndpoint { get; set; }

    /// <summary>
    /// Test switch: accept exactly the server certificate with this SHA-1 thumbprint (hex), e.g. the
    /// gateway test server's self-signed certificate. Only allowed with a loopback endpoint.
    /// </summary>
    public string? ServerCertificateThumbprint { get; set; }

    /// <summary>Copies the settings.</summary>
    public CosmosSourceOptions Clone() => (CosmosSourceOptions)MemberwiseClone();

    /// <summary>
    /// Every static problem of the settings, each naming the source and the setting
    /// (<c>SnapshotService:Sources:{id}:Cosmos:Endpoint is required …</c>); empty when valid.
    /// </summary>
    public IReadOnlyList<string> Validate(string sourceId)
    {
        var problems = new List<string>();
        var prefix = $"Configuration for source '{sourceId}' is invalid: SnapshotService:Sources:{sourceId}:Cosmos:";
        Uri? endpoint = null;
        if (string.IsNullOrWhiteSpace(Endpoint))
        {
            problems.Add($"{prefix}Endpoint is required, e.g. https://myaccount.documents.azure.com:443/.");
        }
        else if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out endpoint) || endpoint.Scheme != Uri.UriSchemeHttps)
        {
            problems.Add($"{prefix}Endpoint '{Endpoint}' is not an absolute https:// URI, e.g. https://myaccount.documents.azure.com:443/.");
            endpoint = null;
        }
        CheckId(problems, prefix, "Database", Database);
        CheckId(problems, prefix, "Container", Container);
        if (!Enum.IsDefined(AuthMode))
        {
            problems.Add($"{prefix}AuthMode must be Key or Entra.");
        }
        if (AuthMode == CosmosAuthMode.Key && string.IsNullOrWhiteSpace(Key))
        {
            problems.Add($"{prefix}Key is required when AuthMode is Key (or use AuthMode Entra with a managed identity).");
        }
        if (AuthMode == CosmosAuthMode.Key && !string.IsNullOrWhiteSpace(Key) && !IsBase64(Key))
        {
            problems.Add($"{prefix}Key is not a base64 account key.");
        }
        if (!Enum.IsDefined(Mode))
        {
            problems.Add($"{prefix}Mode must be LatestVersion or AllVersionsAndDeletes.");
        }
        if (!Enum.IsDefined(StartFrom))
        {
            problems.Add($"{prefix}StartFrom must be Beginning, Now or Time.");
        }
        if (StartFrom == CosmosStartFrom.Time && StartTime is null)
        {
            problems.Add($"{prefix}StartTime is required when StartFrom is Time (e.g. 2026-01-31T00:00:00Z).");
        }
        if (StartFrom == CosmosStartFrom.Time && Mode == CosmosFeedMode.AllVersionsAndDeletes)
        {
            problems.Add($"{prefix}StartFrom Time is not available with Mode AllVersionsAndDeletes (that feed starts only from now or a continuation); use Beginning (backfill, then all versions) or Now.");
        }
        if (AllVersionsRetention < TimeSpan.FromHours(1))
        {
            problems.Add($"{prefix}AllVersionsRetention must be at least 01:00:00 (was {AllVersionsRetention}); use the account's continuous-backup retention, 7.00:00:00 or 30.00:00:00.");
        }
        if (MaxItemCount is < 1 or > 10_000)
        {
            problems.Add($"{prefix}MaxItemCount must be between 1 and 10000 (was {MaxItemCount}).");
        }
        if (PollDelay < TimeSpan.Zero || PollDelay > TimeSpan.FromMinutes(5))
        {
            problems.Add($"{prefix}PollDelay must be between 0 and 5 minutes (was {PollDelay}).");
        }
        if (MaxRequestUnitsPerSecond < 0 || double.IsNaN(MaxRequestUnitsPerSecond) || double.IsInfinity(MaxRequestUnitsPerSecond))
        {
            problems.Add($"{prefix}MaxRequestUnitsPerSecond must be 0 (no limit) or positive (was {MaxRequestUnitsPerSecond}).");
        }
        if (ClockSkewAllowance < TimeSpan.Zero || ClockSkewAllowance > TimeSpan.FromMinutes(10))
        {
            problems.Add($"{prefix}ClockSkewAllowance must be between 0 and 10 minutes (was {ClockSkewAllowance}).");
        }
        if (PointReadConcurrency is < 1 or > 256)
        {
            problems.Add($"{prefix}PointReadConcurrency must be between 1 and 256 (was {PointReadConcurrency}).");
        }
        if (MaxRetries is < 0 or > 100)
        {
            problems.Add($"{prefix}MaxRetries must be between 0 and 100 (was {MaxRetries}).");
        }
        if (RetryBaseDelay <= TimeSpan.Zero || RetryMaxDelay < RetryBaseDelay)
        {
            problems.Add($"{prefix}RetryBaseDelay must be positive and at most RetryMaxDelay (were {RetryBaseDelay} and {RetryMaxDelay}).");
        }
        if (MaxRateLimitRetries is < 0 or > 100)
        {
            problems.Add($"{prefix}MaxRateLimitRetries must be between 0 and 100 (was {MaxRateLimitRetries}).");
        }
        if (MaxRateLimitWait < TimeSpan.Zero || RequestTimeout <= TimeSpan.Zero)
        {
            problems.Add($"{prefix}MaxRateLimitWait must not be negative and RequestTimeout must be positive.");
        }
        if (!Enum.IsDefined(ConnectionMode))
        {
            problems.Add($"{prefix}ConnectionMode must be Direct or Gateway.");
        }
        if (!string.IsNullOrEmpty(ServerCertificateThumbprint))
        {
            if (!ServerCertificateThumbprint.All(Uri.IsHexDigit))
            {
                problems.Add($"{prefix}ServerCertificateThumbprint must be a hex SHA-1 thumbprint.");
            }
            if (endpoint is not null && !endpoint.IsLoopback)
            {
                problems.Add($"{prefix}ServerCertificateThumbprint is a test switch and only allowed with a loopback Endpoint (was {Endpoint}); real accounts use normal certificate validation.");
            }
        }
        return problems;
    }

    private static void CheckId(List<string> problems, string prefix, string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add($"{prefix}{name} is required.");
        }
        else if (value.Length > 255 || value.IndexOfAny(['/', '\\', '?', '#']) >= 0 || value.EndsWith(' '))
        {
            problems.Add($"{prefix}{name} '{value}' is not a valid Cosmos DB id (at most 255 characters, none of / \\ ? #, no trailing space).");
        }
    }

    private static bool IsBase64(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out _);
    }
}
