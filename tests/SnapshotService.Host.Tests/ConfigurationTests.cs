using System.Globalization;
using Microsoft.Extensions.Options;
using SnapshotService.Host.Extensions;
using SnapshotService.Host.Sources;
using SnapshotService.Sources;
using SnapshotService.Testing;

namespace SnapshotService.Host.Tests;

/// <summary>A bad configuration stops the host before it binds anything, with messages naming the setting.</summary>
public sealed class ConfigurationTests : IDisposable
{
    private readonly TempDirectory _contentRoot = new("snapsvc-config");

    [Fact]
    public async Task unsupported_kind_names_the_source_and_the_supported_kind()
    {
        var failures = await StartFailuresAsync(new() { ["SnapshotService:Sources:orders:Kind"] = "foo" });

        Assert.Contains("Configuration for source 'orders' is invalid: Kind 'foo' is not supported; use 'simulated', 'mongodb' or 'cosmosdb'.", failures);
    }

    [Fact]
    public async Task missing_kind_names_the_setting()
    {
        var failures = await StartFailuresAsync(new() { ["SnapshotService:Sources:orders:Simulated:Seed"] = "1" });

        Assert.Contains(failures, f => f.Contains("SnapshotService:Sources:orders:Kind", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Orders")]
    [InlineData(".orders")]
    public async Task invalid_source_id_key_is_refused(string id)
    {
        var failures = await StartFailuresAsync(new() { [$"SnapshotService:Sources:{id}:Kind"] = "simulated" });

        Assert.Contains(failures, f => f.Contains($"source '{id}'", StringComparison.Ordinal) && f.Contains("source_id", StringComparison.Ordinal));
    }

    [Fact]
    public async Task invalid_simulated_settings_name_the_source()
    {
        var failures = await StartFailuresAsync(new()
        {
            ["SnapshotService:Sources:demo:Kind"] = "simulated",
            ["SnapshotService:Sources:demo:Simulated:KeySpace"] = "0",
        });

        Assert.Contains(failures, f => f.Contains("'demo'", StringComparison.Ordinal) && f.Contains("KeySpace", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("SnapshotService:Http:Url", "not a url")]
    [InlineData("SnapshotService:Http:Url", "https://127.0.0.1:5080")]
    [InlineData("SnapshotService:Grpc:Url", "http://example-host:5081")]
    [InlineData("SnapshotService:Orleans:SiloPort", "70000")]
    [InlineData("SnapshotService:Orleans:GatewayPort", "abc")]
    [InlineData("SnapshotService:Capture:ReadBatchSize", "0")]
    [InlineData("SnapshotService:Capture:MaxCommitDelay", "00:00:00")]
    [InlineData("SnapshotService:Reconciliation:RotationRuns", "0")]
    [InlineData("SnapshotService:Reconciliation:SourceDocumentsPerSecond", "-5")]
    [InlineData("SnapshotService:Reconciliation:SourceDocumentsPerSecondBySource:orders", "-1")]
    [InlineData("SnapshotService:Retention:KeepLogFor", "00:00:05")]
    [InlineData("SnapshotService:Retention:KeepLogFor", "a week")]
    [InlineData("SnapshotService:Retention:KeepLogCommits", "0")]
    [InlineData("SnapshotService:Retention:OrphanViewMinAge", "00:00:00")]
    [InlineData("SnapshotService:Restore:Directory", " ")]
    [InlineData("SnapshotService:Views:MaxConcurrentRuns", "0")]
    [InlineData("SnapshotService:Cluster:Mode", "Consul")]
    [InlineData("SnapshotService:Cluster:AdvertisedAddress", "silo-1.internal")]
    [InlineData("SnapshotService:Cluster:ClusterId", " ")]
    [InlineData("SnapshotService:Capture:FencedTakeoverAfter", "00:00:00")]
    [InlineData("SnapshotService:SourceSupervisor:Period", "00:00:00")]
    [InlineData("SnapshotService:Capture:LagBudget", "00:00:00.5")]
    [InlineData("SnapshotService:Capture:LagBudgetBySource:orders", "00:00:00")]
    [InlineData("SnapshotService:Capture:FailedRestartMinDelay", "00:00:00")]
    public async Task bad_host_setting_is_named_in_the_failure(string setting, string value)
    {
        var failures = await StartFailuresAsync(new() { [setting] = value });

        Assert.Contains(failures, f => f.Contains(setting, StringComparison.Ordinal));
    }

    [Fact]
    public async Task every_problem_is_reported_at_once()
    {
        var failures = await StartFailuresAsync(new()
        {
            ["SnapshotService:Sources:orders:Kind"] = "foo",
            ["SnapshotService:Orleans:GatewayPort"] = "abc",
            ["SnapshotService:Capture:ReadBatchSize"] = "0",
        });

        Assert.Contains(failures, f => f.Contains("source 'orders'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("SnapshotService:Orleans:GatewayPort", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("SnapshotService:Capture:ReadBatchSize", StringComparison.Ordinal));
    }

    [Fact]
    public async Task redis_cluster_mode_needs_a_connection_string()
    {
        var failures = await StartFailuresAsync(new() { ["SnapshotService:Cluster:Mode"] = "Redis" });

        Assert.Contains(failures, f => f.Contains("SnapshotService:Cluster:Redis:ConnectionString is required", StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_redis_connection_string_without_an_endpoint_is_refused_without_echoing_the_password()
    {
        var failures = await StartFailuresAsync(new()
        {
            ["SnapshotService:Cluster:Mode"] = "redis",
            ["SnapshotService:Cluster:Redis:ConnectionString"] = "password=hunter2-secret,ssl=true",
        });

        Assert.Contains(failures, f => f.Contains("SnapshotService:Cluster:Redis:ConnectionString names no host:port", StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task same_port_for_http_and_grpc_is_refused()
    {
        var failures = await StartFailuresAsync(new()
        {
            ["SnapshotService:Http:Url"] = "http://127.0.0.1:5999",
            ["SnapshotService:Grpc:Url"] = "http://127.0.0.1:5999",
        });

        Assert.Contains(failures, f => f.Contains("same port 5999", StringComparison.Ordinal));
    }

    [Fact]
    public async Task run_returns_the_configuration_exit_code()
    {
        await using var app = Create(new() { ["SnapshotService:Sources:x:Kind"] = "foo" });

        Assert.Equal(SnapshotServiceExtensions.ConfigurationErrorExitCode, await app.RunSnapshotServiceAsync());
    }

    [Fact]
    public async Task shipped_appsettings_configure_the_demo_source()
    {
        // The Host's appsettings.json is copied next to the test assembly.
        await using var app = SnapshotServiceApp.Create(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });

        var factory = app.Services.GetRequiredService<IChangeSourceFactory>();
        var demo = app.Services.GetRequiredService<IOptions<SourcesOptions>>().Value.Sources["demo"];

        Assert.Equal(["demo"], factory.SourceIds);
        Assert.Equal("simulated", factory.KindOf("demo"));
        Assert.Equal(42, demo.Simulated.Seed);
        Assert.Equal(10_000, demo.Simulated.KeySpace);
        Assert.Equal(1024, demo.Simulated.DocumentBytes);
        Assert.Equal(500, demo.Simulated.ChangesPerSecond);
    }

    public void Dispose() => _contentRoot.Dispose();

    [Theory]
    [InlineData("SnapshotService:Http:Url", "http://0.0.0.0:{0}")]
    [InlineData("SnapshotService:Grpc:Url", "http://*:{0}")]
    public async Task a_public_listener_without_authentication_is_refused_naming_the_setting(string setting, string url)
    {
        var failures = await StartFailuresAsync(new() { [setting] = string.Format(CultureInfo.InvariantCulture, url, FreePort.Next()) });

        Assert.Contains(failures, f => f.Contains(setting, StringComparison.Ordinal) && f.Contains("SnapshotService:Auth:Mode", StringComparison.Ordinal) && f.Contains("AllowUnauthenticatedPublicEndpoints", StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_public_listener_without_authentication_starts_with_the_explicit_override()
    {
        await using var app = Create(new()
        {
            ["SnapshotService:Http:Url"] = $"http://0.0.0.0:{FreePort.Next()}",
            ["SnapshotService:Auth:AllowUnauthenticatedPublicEndpoints"] = "true",
        });
        await app.StartAsync();
        await app.StopAsync();
    }

    [Theory]
    [InlineData("SnapshotService:Auth:ApiKeys:ci:Key", "short", "at least 16 characters")]
    [InlineData("SnapshotService:Auth:ApiKeys:ci:Role", "admin", "'reader' or 'operator'")]
    public async Task bad_api_keys_are_refused_naming_the_setting_but_not_the_key(string setting, string value, string expected)
    {
        var settings = new Dictionary<string, string>
        {
            ["SnapshotService:Auth:Mode"] = "ApiKey",
            ["SnapshotService:Auth:ApiKeys:ci:Key"] = "0123456789abcdef0123",
            ["SnapshotService:Auth:ApiKeys:ci:Role"] = "reader",
        };
        settings[setting] = value;

        var failures = await StartFailuresAsync(settings);

        Assert.Contains(failures, f => f.Contains(setting, StringComparison.Ordinal) && f.Contains(expected, StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.Contains("0123456789abcdef0123", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "", "exactly one of SnapshotService:Export:AzureBlob:ServiceUri")]
    [InlineData("http://account.blob.example", "", "SnapshotService:Export:AzureBlob:ServiceUri must be an https URL")]
    [InlineData("", "UseDevelopmentStorage=true;AccountKey=do-not-echo", "SnapshotService:Export:AzureBlob:Container must be")]
    public async Task a_bad_blob_store_setting_is_refused_naming_it_without_echoing_the_connection_string(string serviceUri, string connectionString, string expected)
    {
        var failures = await StartFailuresAsync(new()
        {
            ["SnapshotService:Export:Kind"] = "AzureBlob",
            ["SnapshotService:Export:AzureBlob:ServiceUri"] = serviceUri,
            ["SnapshotService:Export:AzureBlob:ConnectionString"] = connectionString,
            ["SnapshotService:Export:AzureBlob:Container"] = serviceUri.Length > 0 || connectionString.Length == 0 ? "exports" : "Bad_Name",
        });

        Assert.Contains(failures, f => f.Contains(expected, StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.Contains("do-not-echo", StringComparison.Ordinal));
    }

    [Fact]
    public async Task jwt_mode_needs_an_audience_and_an_https_authority()
    {
        var failures = await StartFailuresAsync(new() { ["SnapshotService:Auth:Mode"] = "Jwt", ["SnapshotService:Auth:Jwt:Authority"] = "http://idp" });

        Assert.Contains(failures, f => f.Contains("SnapshotService:Auth:Jwt:Audience", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("SnapshotService:Auth:Jwt:Authority", StringComparison.Ordinal));
    }

    private async Task<IReadOnlyList<string>> StartFailuresAsync(Dictionary<string, string> settings)
    {
        await using var app = Create(settings);
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());
        var failures = SnapshotServiceExtensions.ConfigurationFailures(ex);
        Assert.True(failures.Count > 0, $"Expected a configuration failure, got: {ex}");
        return failures;
    }

    private WebApplication Create(Dictionary<string, string> overrides)
    {
        var settings = new Dictionary<string, string>
        {
            ["SnapshotService:Http:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["SnapshotService:Grpc:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["SnapshotService:Export:Root"] = Path.Combine(_contentRoot.Path, "data"),
            ["SnapshotService:Orleans:SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["SnapshotService:Orleans:GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "None",
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }
        return SnapshotServiceApp.Create(new WebApplicationOptions
        {
            Args = [.. settings.Select(kv => $"--{kv.Key}={kv.Value}")],
            ContentRootPath = _contentRoot.Path,
            EnvironmentName = "Testing",
        });
    }
}
