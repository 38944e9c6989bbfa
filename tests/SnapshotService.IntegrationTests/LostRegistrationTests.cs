using System.Diagnostics;
using System.Globalization;
using SnapshotService.Log;
using SnapshotService.Simulated;
using SnapshotService.Storage;
using SnapshotService.Testing;
using SnapshotService.Testing.Redis;
using Xunit.Abstractions;

namespace SnapshotService.IntegrationTests;

/// <summary>
/// Two activations of one source at once, with real processes: the case that stalled capture for
/// the 2-minute fenced-takeover wait. Sources run on the first silo; other silos join and the grain
/// directory hands them the registrations they now own. SIGKILL of such a silo loses those
/// registrations: whichever silo learns of the death first re-activates the source (the supervisor
/// wakes on it), while the silo running the old activation deactivates it (DirectoryFailure) only
/// once it learns too — two silos racing on one source. The loser must not commit (it drops its
/// batch), a fenced survivor must take over as soon as the loser is gone, capture must run again
/// within seconds, and every source's log must stay its exact history.
/// </summary>
public sealed class LostRegistrationTests(ITestOutputHelper output)
{
    private const int SourceCount = 6;
    private const int MaxKills = 6;
    // What Orleans says when it deactivates an activation because another one owns (or will own)
    // its grain: its directory registration was lost, or it lost the registration race.
    private static readonly string[] LostRegistrationReasons = ["responsible for this activation's grain directory registration", "activated elsewhere"];
    private static readonly TimeSpan ResumeBound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task losing_the_silo_that_holds_a_sources_registration_moves_capture_to_one_writer_without_stall_gap_or_duplicate()
    {
        await using var redis = await RedisServer.StartAsync();
        using var store = new TempDirectory("lost-registration");
        var exportStore = new FileSystemObjectStore(store.Path);
        var simulated = new SimulatedSourceOptions { Seed = 31, KeySpace = 2_000, DocumentBytes = 256, ChangesPerSecond = 250 };
        var sourceIds = Enumerable.Range(0, SourceCount).Select(i => $"race-{i}").ToList();
        var settings = SettingsFor(sourceIds, store.Path, simulated).WithRedisCluster(redis.ConnectionString, "lost-registration");
        var hosts = new List<HostProcess>();
        try
        {
            var first = HostProcess.Start(settings);
            hosts.Add(first);
            foreach (var sourceId in sourceIds)
            {
                await first.WaitForSourceAsync(sourceId, TimeSpan.FromSeconds(90));
                await ClusterHosts.WaitForSourceAsync(first, sourceId, s => s.IsRunning && s.CommittedSeq > 0, $"{sourceId} to commit on the first silo", TimeSpan.FromSeconds(60));
            }

            var resumeSeconds = new List<double>();
            var racedToAnotherSilo = 0;
            var lostRegistrations = 0;
            for (var kill = 1; kill <= MaxKills && racedToAnotherSilo == 0; kill++)
            {
                // Keep two silos beside the victim, so a re-activation can land away from the old one.
                while (hosts.Count(h => !h.HasExited) < 3)
                {
                    hosts.Add(await JoinAsync(settings, sourceIds));
                }
                var survivor = first;
                var before = await StatusesAsync(survivor, sourceIds);
                // A silo that runs no source but may hold registrations: its loss is a lost registration, not a lost activation.
                var victim = hosts.First(h => !h.HasExited && h != first && before.Values.All(s => !s.RunsOn(h.SiloPort)));
                var linesBefore = hosts.ToDictionary(h => h, h => LostRegistrationLines(h).Count);
                output.WriteLine($"kill {kill}: SIGKILL of silo {victim.SiloPort}; sources on {string.Join(", ", before.Select(s => $"{s.Key}@{s.Value.Silo}"))}");
                var clock = Stopwatch.StartNew();
                victim.Kill();
                foreach (var sourceId in sourceIds)
                {
                    var atKill = (await new ExportLogReader(exportStore, sourceId).ReadHeadAsync(default)).LastSeq;
                    await ClusterHosts.WaitForSourceAsync(
                        survivor,
                        sourceId,
                        s => s.IsRunning && s.CommittedSeq > atKill,
                        $"{sourceId} to capture again after the loss of silo {victim.SiloPort}",
                        ResumeBound,
                        ex => output.WriteLine($"GetSource {sourceId}: {ex.Message}"));
                    resumeSeconds.Add(clock.Elapsed.TotalSeconds);
                }
                var after = await StatusesAsync(survivor, sourceIds);
                var lost = hosts.SelectMany(h => LostRegistrationLines(h).Skip(linesBefore.GetValueOrDefault(h))).ToList();
                var moved = sourceIds.Where(id => after[id].Silo != before[id].Silo && lost.Any(line => line.Contains($"Source {id}:", StringComparison.Ordinal))).ToList();
                lostRegistrations += lost.Count;
                racedToAnotherSilo += moved.Count;
                output.WriteLine($"kill {kill}: every source captured again within {clock.Elapsed.TotalSeconds:F1} s; {lost.Count} activations lost their registration, {moved.Count} of those sources re-activated on another silo ({string.Join(", ", moved)})");
                foreach (var line in lost)
                {
                    output.WriteLine(line);
                }
            }

            var takeovers = hosts.SelectMany(h => OutputLines(h, "taking over")).ToList();
            output.WriteLine($"LOST-REGISTRATION: {lostRegistrations} lost registrations, {racedToAnotherSilo} re-activated on another silo, {takeovers.Count} fenced takeovers; slowest resume {resumeSeconds.Max():F1} s after a kill");
            foreach (var line in takeovers)
            {
                output.WriteLine(line);
            }
            Assert.True(racedToAnotherSilo > 0, $"In {MaxKills} kills no source lost its registration and moved to another silo: the race this test exists for never happened.");

            foreach (var sourceId in sourceIds)
            {
                await ClusterHosts.VerifyLogAsync(first, sourceId);
            }
            foreach (var host in hosts.Where(h => !h.HasExited))
            {
                await host.StopAsync(TimeSpan.FromSeconds(60));
            }
            foreach (var sourceId in sourceIds)
            {
                var committed = await SimulatedExportAssertions.AssertLogEqualsHistoryAsync(exportStore, sourceId, simulated);
                output.WriteLine($"{sourceId}: log of {committed} changes equals the source's history");
            }
        }
        catch
        {
            foreach (var host in hosts)
            {
                output.WriteLine($"--- host on silo port {host.SiloPort} ---\n{host.Output}");
            }
            throw;
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    private static Dictionary<string, string> SettingsFor(IEnumerable<string> sourceIds, string storeRoot, SimulatedSourceOptions simulated)
    {
        var settings = new Dictionary<string, string>();
        foreach (var sourceId in sourceIds)
        {
            foreach (var (key, value) in ClusterHosts.SimulatedSourceSettings(sourceId, storeRoot, simulated))
            {
                settings[key] = value;
            }
        }
        return settings;
    }

    /// <summary>Starts a silo and waits until it serves every source (it has joined and can route to them).</summary>
    private static async Task<HostProcess> JoinAsync(Dictionary<string, string> settings, IEnumerable<string> sourceIds)
    {
        var host = HostProcess.Start(settings);
        foreach (var sourceId in sourceIds)
        {
            await host.WaitForSourceAsync(sourceId, TimeSpan.FromSeconds(90));
        }
        return host;
    }

    private static async Task<Dictionary<string, SourceView>> StatusesAsync(HostProcess host, IEnumerable<string> sourceIds)
    {
        var statuses = new Dictionary<string, SourceView>(StringComparer.Ordinal);
        foreach (var sourceId in sourceIds)
        {
            statuses[sourceId] = await ClusterHosts.GetSourceAsync(host, sourceId);
        }
        return statuses;
    }

    private static List<string> LostRegistrationLines(HostProcess host) =>
        OutputLines(host, "Source ").Where(line => line.Contains("deactivating", StringComparison.Ordinal) && LostRegistrationReasons.Any(reason => line.Contains(reason, StringComparison.Ordinal))).ToList();

    private static List<string> OutputLines(HostProcess host, string containing) =>
        host.Output.Split('\n')
            .Where(line => line.Contains(containing, StringComparison.Ordinal))
            .Select(line => $"[silo {host.SiloPort.ToString(CultureInfo.InvariantCulture)}] {line.Trim()}")
            .ToList();
}
