using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SnapshotService.Simulated;
using SnapshotService.Storage;
using SnapshotService.Testing;
using SnapshotService.Testing.Redis;

namespace SnapshotService.Scenarios;

/// <summary>
/// One scenario: real host processes capture a simulated source while a fault happens; the run
/// samples GetSource every 250 ms, applies the fault, waits until the whole history is committed,
/// then compares the export with the source's true state.
/// </summary>
/// <remarks>
/// Lag is measured from outside: the source makes changes at a known rate (spike included), so at
/// any moment the run knows how many changes exist and reads how many are committed (the position
/// <c>sim:n</c>); the difference divided by the nominal rate is the lag in seconds. That works
/// while capture is down too, when the service itself cannot say how far behind it is.
/// </remarks>
public sealed class ScenarioRun : IAsyncDisposable
{
    public const string SourceId = "scenario";
    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(250);
    private readonly List<HostProcess> _hosts = [];
    private readonly TempDirectory _directory = new("scenario");
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly LagTrace _lag = new();
    private RedisServer? _redis;
    private double? _firstCommitAt;

    private ScenarioRun(ScenarioSize size, SimulatedSourceOptions simulated)
    {
        Size = size;
        Simulated = simulated;
        Directory.CreateDirectory(DataPath);
        File.CreateSymbolicLink(ExportRoot, DataPath);
    }

    public ScenarioSize Size { get; }

    public SimulatedSourceOptions Simulated { get; }

    /// <summary>Where the export really is.</summary>
    public string DataPath => Path.Combine(_directory.Path, "data");

    /// <summary>What the hosts are given: a symbolic link to <see cref="DataPath"/>, so a test can take the store away.</summary>
    public string ExportRoot => Path.Combine(_directory.Path, "export");

    public IReadOnlyList<HostProcess> Hosts => _hosts;

    /// <summary>The simulated source every scenario starts from: the size's rate and length, 5,000 keys, 5% deletes.</summary>
    public static SimulatedSourceOptions BaseSource(ScenarioSize size) => new()
    {
        Seed = 2026,
        KeySpace = 5_000,
        DocumentBytes = 300,
        DeletePercent = 5,
        ChangesPerSecond = size.ChangesPerSecond,
        MaxChanges = size.MaxChanges,
    };

    /// <summary>Starts <paramref name="silos"/> host processes (a Redis cluster when more than one).</summary>
    public static async Task<ScenarioRun> StartAsync(ScenarioSize size, SimulatedSourceOptions simulated, int silos = 1, IReadOnlyDictionary<string, string>? extraSettings = null)
    {
        var run = new ScenarioRun(size, simulated);
        var settings = ClusterHosts.SimulatedSourceSettings(SourceId, run.ExportRoot, simulated);
        settings[$"SnapshotService:Sources:{SourceId}:Simulated:MaxChanges"] = simulated.MaxChanges.ToString(CultureInfo.InvariantCulture);
        settings[$"SnapshotService:Sources:{SourceId}:Simulated:DeletePercent"] = simulated.DeletePercent.ToString(CultureInfo.InvariantCulture);
        settings[$"SnapshotService:Sources:{SourceId}:Simulated:SchemaChangeAfter"] = simulated.SchemaChangeAfter.ToString(CultureInfo.InvariantCulture);
        settings[$"SnapshotService:Sources:{SourceId}:Simulated:PoisonPerMille"] = simulated.PoisonPerMille.ToString(CultureInfo.InvariantCulture);
        settings[$"SnapshotService:Sources:{SourceId}:Simulated:Spike:AfterSeconds"] = simulated.Spike.AfterSeconds.ToString(CultureInfo.InvariantCulture);
        settings[$"SnapshotService:Sources:{SourceId}:Simulated:Spike:Seconds"] = simulated.Spike.Seconds.ToString(CultureInfo.InvariantCulture);
        settings[$"SnapshotService:Sources:{SourceId}:Simulated:Spike:Factor"] = simulated.Spike.Factor.ToString(CultureInfo.InvariantCulture);
        settings[$"SnapshotService:Sources:{SourceId}:Simulated:Faults:DisconnectAfterChanges"] = simulated.Faults.DisconnectAfterChanges.ToString(CultureInfo.InvariantCulture);
        settings[$"SnapshotService:Sources:{SourceId}:Simulated:Faults:DisconnectSeconds"] = simulated.Faults.DisconnectSeconds.ToString(CultureInfo.InvariantCulture);
        WithQuickRestarts(settings);
        foreach (var (key, value) in extraSettings ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }
        if (silos > 1)
        {
            run._redis = await RedisServer.StartAsync();
            settings.WithRedisCluster(run._redis.ConnectionString, "scenarios");
        }
        for (var i = 0; i < silos; i++)
        {
            run._hosts.Add(HostProcess.Start(settings));
        }
        foreach (var host in run._hosts)
        {
            await host.WaitForSourceAsync(SourceId, TimeSpan.FromSeconds(120));
        }
        await run.SampleUntilAsync(() => run._firstCommitAt is not null, TimeSpan.FromSeconds(60), "the first commit");
        return run;
    }

    /// <summary>
    /// Restart a failed capture quickly: the figures are about the service's recovery, not its
    /// backoff defaults (5 s → 5 min). Every scenario run's hosts get these.
    /// </summary>
    public static Dictionary<string, string> WithQuickRestarts(Dictionary<string, string> settings)
    {
        settings["SnapshotService:Capture:FailedRestartMinDelay"] = "00:00:01";
        settings["SnapshotService:Capture:FailedRestartMaxDelay"] = "00:00:02";
        return settings;
    }

    /// <summary>Seconds since the source's first change (estimated from the first commit seen).</summary>
    public double SourceSeconds => _clock.Elapsed.TotalSeconds - (_firstCommitAt ?? _clock.Elapsed.TotalSeconds);

    /// <summary>Samples until <paramref name="sourceSecond"/> seconds of the source's life have passed.</summary>
    public Task SampleUntilSourceSecondAsync(double sourceSecond) =>
        SampleUntilAsync(() => SourceSeconds >= sourceSecond, TimeSpan.FromSeconds(sourceSecond + 60), $"source second {sourceSecond}");

    /// <summary>Samples until every change of the history is committed.</summary>
    public Task SampleUntilFinishedAsync() =>
        SampleUntilAsync(() => _lastCommitted >= Simulated.MaxChanges, TimeSpan.FromSeconds(Size.RunSeconds + 180), $"capture of all {Simulated.MaxChanges} changes");

    private long _lastCommitted;

    /// <summary>The result: max lag, recovery after <paramref name="faultEndedAtSourceSecond"/>, and the export compared with the truth.</summary>
    public async Task<ScenarioResult> ResultAsync(string scenario, double? faultEndedAtSourceSecond, string note)
    {
        var maxLag = _lag.MaxLagSeconds;
        var recovery = _lag.RecoverySeconds(faultEndedAtSourceSecond, _firstCommitAt ?? 0);
        var (lost, deadLetters, examples) = await ExportTruth.CompareAsync(new FileSystemObjectStore(DataPath), SourceId, Simulated, Simulated.MaxChanges);
        var detail = examples.Count == 0 ? note : $"{note}; first problems: {string.Join("; ", examples)}";
        return new ScenarioResult(scenario, Size.Name, Simulated.MaxChanges, maxLag, recovery, lost, deadLetters, detail);
    }

    /// <summary>Takes the export store away (the hosts' root points nowhere) or gives it back.</summary>
    public void SetStoreAvailable(bool available)
    {
        File.Delete(ExportRoot);
        File.CreateSymbolicLink(ExportRoot, available ? DataPath : Path.Combine(_directory.Path, "unmounted"));
    }

    /// <summary>The host currently running the source (asks each live host).</summary>
    public async Task<HostProcess> OwnerAsync()
    {
        foreach (var host in _hosts.Where(h => !h.HasExited))
        {
            var status = await ClusterHosts.GetSourceAsync(host, SourceId);
            return _hosts.Single(h => status.RunsOn(h.SiloPort));
        }
        throw new InvalidOperationException("No host is running.");
    }

    public async Task PostAsync(string verb)
    {
        var host = _hosts.First(h => !h.HasExited);
        using var response = await host.Http.PostAsync(new Uri($"/v1/sources/{SourceId}:{verb}", UriKind.Relative), new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
        _directory.Dispose();
    }

    private async Task SampleUntilAsync(Func<bool> done, TimeSpan timeout, string what)
    {
        var deadline = _clock.Elapsed + timeout;
        while (!done())
        {
            if (_clock.Elapsed > deadline)
            {
                throw new TimeoutException($"Waited {timeout} for {what}; committed {_lastCommitted} of {Simulated.MaxChanges}.\n{_hosts.LastOrDefault(h => !h.HasExited)?.Output}");
            }
            await SampleAsync();
            await Task.Delay(SampleEvery);
        }
    }

    private async Task SampleAsync()
    {
        foreach (var host in _hosts.Where(h => !h.HasExited))
        {
            try
            {
                using var response = await host.Http.GetAsync(new Uri($"/v1/sources/{SourceId}", UriKind.Relative));
                if (!response.IsSuccessStatusCode)
                {
                    continue;
                }
                var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                var summary = json.GetProperty("positionSummary").GetString() ?? "";
                var committed = summary.StartsWith("sim:", StringComparison.Ordinal) && long.TryParse(summary.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
                _lastCommitted = Math.Max(_lastCommitted, committed);
                var now = _clock.Elapsed.TotalSeconds;
                if (_firstCommitAt is null && _lastCommitted > 0)
                {
                    // Capture keeps up at the start, so the first change was made about this long ago.
                    _firstCommitAt = now - (_lastCommitted / Simulated.ChangesPerSecond);
                }
                if (_firstCommitAt is { } start)
                {
                    var made = Math.Min(Simulated.MaxChanges, SimulatedRate.Of(Simulated).ChangesAfter(now - start));
                    _lag.Add(now, (made - _lastCommitted) / Simulated.ChangesPerSecond);
                }
                return;
            }
            catch (HttpRequestException)
            {
                // A dying or restarting host: ask the next one.
            }
            catch (TaskCanceledException)
            {
                // The call timed out on a host that is going away.
            }
        }
    }
}
