using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace SnapshotService.Testing.Cosmos;

/// <summary>
/// The Cosmos DB gateway test server (tests/cosmos-test-server, Node) as a child process on a free
/// 127.0.0.1 port with TLS, plus its control API (faults, splits, reset). Clients connect in Gateway
/// mode with <c>LimitToEndpoint = true</c>, the <see cref="Key"/>, and
/// <see cref="IsServerCertificate"/> as their certificate check: it accepts exactly this server's
/// self-signed certificate and nothing else.
/// </summary>
public sealed class CosmosGatewayServer : IAsyncDisposable
{
    /// <summary>The well-known emulator key. The test server does not check signatures; real emulators need this key.</summary>
    public const string EmulatorKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly X509Certificate2 _certificate;
    private readonly HttpClient _control;

    private CosmosGatewayServer(Process process, int port, X509Certificate2 certificate)
    {
        _process = process;
        _certificate = certificate;
        Port = port;
        Endpoint = new Uri($"https://127.0.0.1:{port}/");
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => IsServerCertificate(cert),
        };
        _control = new HttpClient(handler) { BaseAddress = Endpoint, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The Node package's folder.</summary>
    public static string PackageDirectory => Path.Combine(RepositoryPaths.Root, "tests", "cosmos-test-server");

    /// <summary>https://127.0.0.1:PORT/ — the account endpoint for CosmosClient.</summary>
    public Uri Endpoint { get; }

    public int Port { get; }

    /// <summary>The account key to give the SDK (any key works here; this one also works on an emulator).</summary>
    public string Key => EmulatorKey;

    /// <summary>What the server printed so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the server with <paramref name="partitionKeyRanges"/> ranges per new container;
    /// <paramref name="allVersionsAndDeletes"/> false makes it answer all-versions-and-deletes reads
    /// like an account without continuous backup.
    /// </summary>
    public static async Task<CosmosGatewayServer> StartAsync(
        int partitionKeyRanges = 1, bool allVersionsAndDeletes = true, CancellationToken cancellationToken = default)
    {
        var package = PackageDirectory;
        var storage = ThrowIfNotInstalled(package);
        var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(storage, "cert.pem"), cancellationToken));
        var port = FreePort.Next();
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = package,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("server.mjs");
        info.ArgumentList.Add("--port");
        info.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add("--ranges");
        info.ArgumentList.Add(partitionKeyRanges.ToString(CultureInfo.InvariantCulture));
        if (!allVersionsAndDeletes)
        {
            info.ArgumentList.Add("--no-all-versions");
        }
        if (Environment.GetEnvironmentVariable("COSMOS_TEST_SERVER_TRACE") == "1")
        {
            // One line per request in Output, for failure messages while debugging.
            info.ArgumentList.Add("--trace");
        }
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("The Cosmos test server needs Node.js 20+ on PATH (`node`).", e);
        }
        var server = new CosmosGatewayServer(process, port, certificate);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var readyLine = $"listening https://127.0.0.1:{port}";
        process.OutputDataReceived += (_, e) =>
        {
            server.Append(e.Data);
            if (e.Data == readyLine)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(
            new InvalidOperationException($"The Cosmos test server exited before it was ready:\n{server.Output}"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch (TimeoutException)
        {
            await server.DisposeAsync();
            throw new TimeoutException($"The Cosmos test server did not print '{readyLine}' within 30 s:\n{server.Output}");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>
    /// Fails with the install hint when <paramref name="packageDirectory"/> has no node_modules
    /// (a fresh clone before ./test.sh); returns the storage package's folder otherwise.
    /// </summary>
    public static string ThrowIfNotInstalled(string packageDirectory)
    {
        var storage = Path.Combine(packageDirectory, "node_modules", "@vercel", "cosmosdb-server");
        if (!Directory.Exists(storage))
        {
            throw new InvalidOperationException(
                $"The Cosmos test server's packages are not installed ({storage} is missing): " +
                "run ./test.sh to install tests/cosmos-test-server/node_modules " +
                "(or scripts/install-test-prerequisites.sh, which runs npm ci there).");
        }
        return storage;
    }

    /// <summary>True only for this server's own certificate: the SDK's and HttpClient's TLS check in tests.</summary>
    public bool IsServerCertificate(X509Certificate? certificate) =>
        certificate is not null && certificate.GetCertHashString() == _certificate.GetCertHashString();

    /// <summary>The SHA-1 thumbprint (hex) of this server's certificate, for configuration that pins it (e.g. a Cosmos source's ServerCertificateThumbprint).</summary>
    public string CertificateThumbprint => _certificate.GetCertHashString();

    /// <summary>
    /// Host settings of a <c>cosmosdb</c> source <paramref name="sourceId"/> on this server (key auth,
    /// gateway mode, this certificate pinned, 100 ms poll delay), reached at
    /// https://127.0.0.1:<paramref name="port"/>/ — this server's port unless a proxy sits in front.
    /// </summary>
    public Dictionary<string, string> SourceSettings(string sourceId, string database, string container, int? port = null) => new()
    {
        [$"SnapshotService:Sources:{sourceId}:Kind"] = "cosmosdb",
        [$"SnapshotService:Sources:{sourceId}:Cosmos:Endpoint"] = port is { } p ? $"https://127.0.0.1:{p.ToString(CultureInfo.InvariantCulture)}/" : Endpoint.ToString(),
        [$"SnapshotService:Sources:{sourceId}:Cosmos:Database"] = database,
        [$"SnapshotService:Sources:{sourceId}:Cosmos:Container"] = container,
        [$"SnapshotService:Sources:{sourceId}:Cosmos:AuthMode"] = "Key",
        [$"SnapshotService:Sources:{sourceId}:Cosmos:Key"] = Key,
        [$"SnapshotService:Sources:{sourceId}:Cosmos:ConnectionMode"] = "Gateway",
        [$"SnapshotService:Sources:{sourceId}:Cosmos:LimitToEndpoint"] = "true",
        [$"SnapshotService:Sources:{sourceId}:Cosmos:ServerCertificateThumbprint"] = CertificateThumbprint,
        [$"SnapshotService:Sources:{sourceId}:Cosmos:PollDelay"] = "00:00:00.100",
    };

    /// <summary>A certificate callback with the shape CosmosClientOptions.ServerCertificateCustomValidationCallback takes.</summary>
    public bool ValidateServerCertificate(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors) =>
        IsServerCertificate(certificate);

    /// <summary>
    /// The next <paramref name="count"/> matching requests get 429 with x-ms-retry-after-ms =
    /// <paramref name="retryAfter"/>; <paramref name="on"/> picks which requests: "any", "feed",
    /// "query", "read" (other GETs, metadata included) or "write".
    /// </summary>
    public Task Inject429Async(int count, TimeSpan retryAfter, string on = "any") =>
        InjectFaultAsync(new { kind = "429", count, retryAfterMs = (long)retryAfter.TotalMilliseconds, on });

    /// <summary>The next <paramref name="count"/> matching requests get 503 Service Unavailable.</summary>
    public Task Inject503Async(int count, string on = "any") => InjectFaultAsync(new { kind = "503", count, on });

    /// <summary>The next <paramref name="count"/> matching requests have their connection closed without an answer.</summary>
    public Task DropConnectionsAsync(int count, string on = "any") => InjectFaultAsync(new { kind = "drop", count, on });

    /// <summary>Faults a fraction (0..1) of matching requests with 429 until <see cref="ClearFaultsAsync"/> or reset.</summary>
    public Task Inject429RateAsync(double rate, TimeSpan retryAfter, string on = "any") =>
        InjectFaultAsync(new { kind = "429", rate, retryAfterMs = (long)retryAfter.TotalMilliseconds, on });

    /// <summary>Removes pending faults (counts of injected faults stay).</summary>
    public async Task ClearFaultsAsync()
    {
        using var response = await _control.DeleteAsync(new Uri("_test/faults", UriKind.Relative));
        await EnsureAsync(response);
    }

    /// <summary>How many faults of each kind were injected so far: { "429": n, "503": n, "drop": n }.</summary>
    public async Task<JsonElement> GetFaultsAsync() => await GetJsonAsync("_test/faults");

    /// <summary>
    /// Splits partition key range <paramref name="rangeId"/> into two children in every container
    /// where it is live; requests naming the parent then get 410/1002. Returns the children's ids.
    /// </summary>
    public Task<IReadOnlyList<string>> SplitRangeAsync(string rangeId) => SplitAsync(new { range = rangeId });

    /// <summary>Splits partition key range <paramref name="rangeId"/> of one container.</summary>
    public Task<IReadOnlyList<string>> SplitRangeAsync(string database, string container, string rangeId) =>
        SplitAsync(new { range = rangeId, database, container });

    /// <summary>Range count for containers created from now on, and the all-versions-and-deletes switch.</summary>
    public async Task ConfigureAsync(int? partitionKeyRanges = null, bool? allVersionsAndDeletes = null)
    {
        using var response = await _control.PostAsJsonAsync(
            new Uri("_test/config", UriKind.Relative), new { partitionKeyRanges, allVersionsAndDeletes });
        await EnsureAsync(response);
    }

    /// <summary>
    /// How many answers of each kind the server gave since start or reset, keyed "status" or
    /// "status/substatus" (e.g. "410/1002", "304", "429/3200"): proof that a path was exercised.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, int>> GetAnswerCountsAsync()
    {
        var stats = await GetJsonAsync("_test/stats");
        return stats.GetProperty("answers").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
    }

    /// <summary>Ranges, last LSN and document count of a container, as the server sees them.</summary>
    public async Task<JsonElement> GetContainerInfoAsync(string database, string container) =>
        await GetJsonAsync($"_test/containers/{Uri.EscapeDataString(database)}/{Uri.EscapeDataString(container)}");

    /// <summary>Drops every database and fault and restores the start options.</summary>
    public async Task ResetAsync()
    {
        using var response = await _control.PostAsync(new Uri("_test/reset", UriKind.Relative), content: null);
        await EnsureAsync(response);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        _control.Dispose();
        _process.Dispose();
        _certificate.Dispose();
    }

    private async Task InjectFaultAsync(object fault)
    {
        using var response = await _control.PostAsJsonAsync(new Uri("_test/faults", UriKind.Relative), fault);
        await EnsureAsync(response);
    }

    private async Task<IReadOnlyList<string>> SplitAsync(object request)
    {
        using var response = await _control.PostAsJsonAsync(new Uri("_test/split", UriKind.Relative), request);
        await EnsureAsync(response);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("containers").EnumerateArray()
            .SelectMany(c => c.GetProperty("children").EnumerateArray())
            .Select(child => child.GetProperty("id").GetString()!)
            .ToList();
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await _control.GetAsync(new Uri(path, UriKind.Relative));
        await EnsureAsync(response);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task EnsureAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync();
            throw new InvalidOperationException(
                $"Cosmos test server control request {response.RequestMessage?.RequestUri} failed ({(int)response.StatusCode}): {body}");
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            if (_output.Length > 200_000)
            {
                _output.Remove(0, 100_000);
            }
            _output.AppendLine(line);
        }
    }
}
