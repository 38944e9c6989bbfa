using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using SnapshotService.Api.V1;
using V1 = SnapshotService.Api.V1;
using SnapshotService.Testing;

namespace SnapshotService.Host.Tests;

/// <summary>
/// One in-process host for the whole suite: free loopback ports for HTTP, gRPC, silo and
/// gateway, a temp export root, no appsettings.json (the content root is an empty temp
/// directory), and two fast simulated sources.
/// </summary>
public class HostFixture : IAsyncLifetime
{
    /// <summary>Captures continuously; snapshot tests use it.</summary>
    public const string SourceId = "fast";

    /// <summary>Pause/resume tests use this one, so pausing never stalls other tests' source.</summary>
    public const string PausableSourceId = "pausable";

    private readonly TempDirectory _contentRoot = new("snapsvc-host-content");
    private readonly TempDirectory _exportRoot = new("snapsvc-host-export");
    private readonly TempDirectory _restoreRoot = new("snapsvc-host-restore");
    private WebApplication? _app;

    public int HttpPort { get; } = FreePort.Next();

    public int GrpcPort { get; } = FreePort.Next();

    public string GrpcEndpoint => $"http://127.0.0.1:{GrpcPort}";

    public string ExportRoot => _exportRoot.Path;

    /// <summary>SnapshotService:Restore:Directory: "file:NAME" targets are its sub-directories.</summary>
    public string RestoreRoot => _restoreRoot.Path;

    public GrpcChannel Channel { get; private set; } = null!;

    /// <summary>The running app (for its services).</summary>
    public WebApplication App => _app ?? throw new InvalidOperationException("The host is not started.");

    public HttpClient Http { get; private set; } = null!;

    public V1.Sources.SourcesClient Sources => new(Channel);

    public V1.Snapshots.SnapshotsClient Snapshots => new(Channel);

    public V1.Reconciliation.ReconciliationClient Reconciliation => new(Channel);

    public V1.Schemas.SchemasClient Schemas => new(Channel);

    public V1.DeadLetters.DeadLettersClient DeadLetters => new(Channel);

    public virtual async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string>
        {
            ["SnapshotService:Http:Url"] = $"http://127.0.0.1:{HttpPort}",
            ["SnapshotService:Grpc:Url"] = GrpcEndpoint,
            ["SnapshotService:Export:Root"] = _exportRoot.Path,
            ["SnapshotService:Restore:Directory"] = _restoreRoot.Path,
            ["SnapshotService:Orleans:SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["SnapshotService:Orleans:GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["SnapshotService:Capture:MaxCommitDelay"] = "00:00:00.050",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var id in new[] { SourceId, PausableSourceId })
        {
            settings[$"SnapshotService:Sources:{id}:Kind"] = "simulated";
            settings[$"SnapshotService:Sources:{id}:Simulated:Seed"] = "7";
            settings[$"SnapshotService:Sources:{id}:Simulated:KeySpace"] = "1000";
            settings[$"SnapshotService:Sources:{id}:Simulated:DocumentBytes"] = "256";
            settings[$"SnapshotService:Sources:{id}:Simulated:ChangesPerSecond"] = "2000";
        }
        foreach (var (key, value) in ExtraSettings())
        {
            settings[key] = value;
        }

        _app = SnapshotServiceApp.Create(new WebApplicationOptions
        {
            Args = [.. settings.Select(kv => $"--{kv.Key}={kv.Value}")],
            ContentRootPath = _contentRoot.Path,
            EnvironmentName = "Testing",
        }, ConfigureBuilder);
        await _app.StartAsync();

        Channel = GrpcChannel.ForAddress(GrpcEndpoint);
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}"), Timeout = TimeSpan.FromSeconds(60) };
        await Eventually.TrueAsync(
            async () => (await Http.GetAsync("/healthz")).IsSuccessStatusCode,
            "the host reports healthy on /healthz");
    }

    /// <summary>More configuration (e.g. extra sources) for fixtures that derive from this one.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> ExtraSettings() => [];

    /// <summary>Adds to the host's builder before it is built (e.g. in-memory telemetry exporters).</summary>
    protected virtual void ConfigureBuilder(WebApplicationBuilder builder)
    {
    }

    /// <summary>
    /// The credentials the waits below read GetSource with: none here; hosts with authentication on
    /// give a reader's, so a test waits for capture exactly as on an open host.
    /// </summary>
    protected virtual Metadata? ReaderCredentials => null;

    /// <summary>Waits until <paramref name="sourceId"/> has committed at least <paramref name="minimum"/> changes; returns its status.</summary>
    /// <remarks>
    /// Capture starts with the host but commits its first batch only some time later (seconds on a
    /// busy machine): anything that needs committed changes (a snapshot at a seq, materialize,
    /// schema, "latest") waits here first.
    /// </remarks>
    public Task<Source> WaitForCommittedAsync(string sourceId, ulong minimum) =>
        WaitForSourceAsync(sourceId, s => s.CommittedSeq >= minimum, $"commits at least {minimum} changes");

    /// <summary>Waits until <paramref name="sourceId"/>'s committed position reads <paramref name="position"/> (e.g. the end of a capped simulated history, "sim:2000"); returns its status.</summary>
    public Task<Source> WaitForPositionAsync(string sourceId, string position) =>
        WaitForSourceAsync(sourceId, s => s.PositionSummary == position, $"commits up to {position}");

    private async Task<Source> WaitForSourceAsync(string sourceId, Func<Source, bool> condition, string what)
    {
        Source? source = null;
        await Eventually.TrueAsync(
            async () => condition(source = await Sources.GetSourceAsync(new GetSourceRequest { SourceId = sourceId }, ReaderCredentials)),
            () => $"source '{sourceId}' {what} (last status: {source})");
        return source!;
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        Channel?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        _exportRoot.Dispose();
        _restoreRoot.Dispose();
        _contentRoot.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class HostCollection : ICollectionFixture<HostFixture>
{
    public const string Name = "host";
}
