using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using SnapshotService.Simulated;
using Xunit;

namespace SnapshotService.Testing;

/// <summary>Settings and status reads shared by the real-process cluster tests.</summary>
public static class ClusterHosts
{
    /// <summary>One simulated source at a steady rate, exported to <paramref name="storeRoot"/>.</summary>
    public static Dictionary<string, string> SimulatedSourceSettings(string sourceId, string storeRoot, SimulatedSourceOptions simulated) => new()
    {
        ["SnapshotService:Export:Root"] = storeRoot,
        [$"SnapshotService:Sources:{sourceId}:Kind"] = "simulated",
        [$"SnapshotService:Sources:{sourceId}:Simulated:Seed"] = simulated.Seed.ToString(CultureInfo.InvariantCulture),
        [$"SnapshotService:Sources:{sourceId}:Simulated:KeySpace"] = simulated.KeySpace.ToString(CultureInfo.InvariantCulture),
        [$"SnapshotService:Sources:{sourceId}:Simulated:DocumentBytes"] = simulated.DocumentBytes.ToString(CultureInfo.InvariantCulture),
        [$"SnapshotService:Sources:{sourceId}:Simulated:ChangesPerSecond"] = simulated.ChangesPerSecond.ToString(CultureInfo.InvariantCulture),
        ["SnapshotService:Capture:MaxCommitDelay"] = "00:00:00.100",
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:SnapshotService"] = "Information",
    };

    /// <summary>
    /// Redis membership with probe settings tuned so a killed silo is declared dead in seconds on
    /// a loaded 2-core test machine (production values: docs/operations.md).
    /// </summary>
    public static Dictionary<string, string> WithRedisCluster(this Dictionary<string, string> settings, string redisConnectionString, string clusterId)
    {
        settings["SnapshotService:Cluster:Mode"] = "Redis";
        settings["SnapshotService:Cluster:ClusterId"] = clusterId;
        settings["SnapshotService:Cluster:AdvertisedAddress"] = "127.0.0.1";
        settings["SnapshotService:Cluster:Redis:ConnectionString"] = redisConnectionString;
        settings["SnapshotService:Cluster:Membership:ProbeTimeout"] = "00:00:01";
        settings["SnapshotService:Cluster:Membership:NumMissedProbesLimit"] = "2";
        settings["SnapshotService:Cluster:Membership:TableRefreshTimeout"] = "00:00:02";
        settings["SnapshotService:SourceSupervisor:Period"] = "00:00:05";
        return settings;
    }

    /// <summary>GET /v1/sources/{id} through <paramref name="host"/>.</summary>
    public static async Task<SourceView> GetSourceAsync(HostProcess host, string sourceId)
    {
        using var response = await host.Http.GetAsync(new Uri($"/v1/sources/{sourceId}", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET /v1/sources/{sourceId} answered {(int)response.StatusCode}: {body}", null, response.StatusCode);
        }
        var json = JsonDocument.Parse(body).RootElement;
        return new SourceView(
            json.GetProperty("state").GetString() ?? "",
            long.Parse(json.GetProperty("committedSeq").GetString() ?? "0", CultureInfo.InvariantCulture),
            json.GetProperty("silo").GetString() ?? "",
            json.GetProperty("writerId").GetString() ?? "",
            json.GetProperty("failureReason").GetString() ?? "");
    }

    /// <summary>
    /// Polls GetSource through <paramref name="host"/> every 200 ms until <paramref name="condition"/>
    /// holds, and returns that status. A failed call goes to <paramref name="onCallFailed"/> (a call
    /// routed to a dead silo fails until membership catches up); without it, it fails the wait.
    /// </summary>
    public static async Task<SourceView> WaitForSourceAsync(
        HostProcess host,
        string sourceId,
        Func<SourceView, bool> condition,
        string what,
        TimeSpan timeout,
        Action<HttpRequestException>? onCallFailed = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        SourceView? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await GetSourceAsync(host, sourceId);
                if (condition(last))
                {
                    return last;
                }
            }
            catch (HttpRequestException ex) when (onCallFailed is not null)
            {
                onCallFailed(ex);
            }
            catch (TaskCanceledException) when (onCallFailed is not null)
            {
                // The HTTP client's timeout: the same transition, seen slower.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"Waited {timeout} for {what}; last status: {last}");
    }

    /// <summary>POST …:verifyLog through <paramref name="host"/>; fails the test unless the log verifies.</summary>
    public static async Task<string> VerifyLogAsync(HostProcess host, string sourceId)
    {
        using var verify = await host.Http.PostAsJsonAsync(new Uri($"/v1/sources/{sourceId}:verifyLog", UriKind.Relative), new { });
        var body = await verify.Content.ReadAsStringAsync();
        Assert.True(verify.IsSuccessStatusCode, body);
        Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("ok").GetBoolean(), body);
        return body;
    }

    /// <summary>Creates a snapshot of the latest committed state through <paramref name="host"/> and returns its anchor seq.</summary>
    public static async Task<long> CreateSnapshotAsync(HostProcess host, string sourceId)
    {
        using var response = await host.Http.PostAsJsonAsync(new Uri($"/v1/sources/{sourceId}/snapshots", UriKind.Relative), new { });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return long.Parse(JsonDocument.Parse(body).RootElement.GetProperty("sequence").GetString() ?? "0", CultureInfo.InvariantCulture);
    }
}

/// <summary>The fields of GetSource the cluster tests look at.</summary>
public sealed record SourceView(string State, long CommittedSeq, string Silo, string WriterId, string FailureReason)
{
    public bool IsRunning => State == "SOURCE_STATE_RUNNING";

    /// <summary>True when the silo named is the one listening on <paramref name="siloPort"/>.</summary>
    public bool RunsOn(int siloPort) => Silo.EndsWith($":{siloPort.ToString(CultureInfo.InvariantCulture)}", StringComparison.Ordinal);
}
