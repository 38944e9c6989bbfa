using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using SnapshotService.Simulated;
using SnapshotService.Sources;
using SnapshotService.Storage;
using SnapshotService.Testing;

namespace SnapshotService.Grains.Tests;

/// <summary>A one-silo TestCluster whose sources are simulated and whose export store is a temp directory.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    // Silo configurators are created by type, so they find the store root through a static.
    private static readonly TempDirectory StoreDirectory = new("grains-tests");

    public TestCluster Cluster { get; private set; } = null!;

    public static string StoreRoot => StoreDirectory.Path;

    public IObjectStore Store { get; } = new FileSystemObjectStore(StoreDirectory.Path);

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder { Options = { InitialSilosCount = 1 } };
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.Services.AddSingleton<IObjectStore>(_ => new FileSystemObjectStore(StoreRoot));
            siloBuilder.Services.AddSingleton<IChangeSourceFactory>(new TestSources());
            siloBuilder.AddSourceCapture(
                o =>
                {
                    o.MaxCommitDelay = TimeSpan.FromMilliseconds(50);
                    o.SnapshotCutTimeout = TimeSpan.FromSeconds(2);
                    o.FailedRestartMinDelay = TimeSpan.FromSeconds(1);
                },
                o =>
                {
                    o.CheckInterval = TimeSpan.FromSeconds(1);
                    o.MinTailChanges = 100;
                    o.State.MaxKeysPerRange = 50; // 500 keys in 10-20 ranges: incremental runs scan a slice of them
                });
            siloBuilder.UseInMemoryReminderService();
            // Seconds-apart schedules so firing tests finish quickly; the reminder period stays at its 1-minute minimum.
            siloBuilder.AddReconciliationSchedules(o => o.MinimumInterval = TimeSpan.FromSeconds(1));
        }
    }
}

/// <summary>Simulated sources for grain tests: every id starting with "sim-" is configured ("sim-slow-…" scan slowly).</summary>
public sealed class TestSources : IChangeSourceFactory
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SimulatedRateClock> _clocks = new(StringComparer.Ordinal);

    public IReadOnlyList<string> SourceIds => [];

    public string? KindOf(string sourceId) => sourceId.StartsWith("sim-", StringComparison.Ordinal) ? "simulated" : null;

    public IChangeSource Create(string sourceId)
    {
        if (KindOf(sourceId) is null)
        {
            throw new KeyNotFoundException(sourceId);
        }
        var clock = _clocks.GetOrAdd(sourceId, _ => new SimulatedRateClock(TimeProvider.System));
        // "sim-lossy-…" lose history once and re-backfill; "sim-gone-…" are invalidated (see LossySource).
        if (sourceId.StartsWith("sim-lossy-", StringComparison.Ordinal) || sourceId.StartsWith("sim-gone-", StringComparison.Ordinal))
        {
            return new LossySource(new SimulatedSource(sourceId, LossySource.Options, clock: clock), invalidate: sourceId.StartsWith("sim-gone-", StringComparison.Ordinal));
        }
        // "sim-drop-…" sources lose 2% of their change events: real drift for repairing runs to find.
        var options = Options;
        if (sourceId.StartsWith("sim-drop-", StringComparison.Ordinal))
        {
            options.Faults = new SimulatedFaultOptions { DropPerMille = 20 };
        }
        var source = new SimulatedSource(sourceId, options, clock: clock);
        // "sim-flaky-…" sources fail every read while the test holds them down (see FlakySource).
        if (sourceId.StartsWith("sim-flaky-", StringComparison.Ordinal))
        {
            return new FlakySource(source);
        }
        // "sim-cut-…" / "sim-nocut-…" have a consistent cut (passed as capture goes on / never).
        if (sourceId.StartsWith("sim-cut-", StringComparison.Ordinal) || sourceId.StartsWith("sim-nocut-", StringComparison.Ordinal))
        {
            return new CutSource(source, neverPassed: sourceId.StartsWith("sim-nocut-", StringComparison.Ordinal));
        }
        // "sim-slow-…" sources scan slowly, so a reconciliation of them stays running for a while.
        return sourceId.StartsWith("sim-slow-", StringComparison.Ordinal) ? new SlowScanSource(source, TimeSpan.FromSeconds(2)) : source;
    }

    public static SimulatedSourceOptions Options => new() { Seed = 7, KeySpace = 500, DocumentBytes = 256, ChangesPerSecond = 5_000 };
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
