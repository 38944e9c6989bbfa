using System.Net;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace SnapshotService.Host.Configuration;

/// <summary>Checks <c>SnapshotService:Cluster</c> at start; every message names the setting to fix.</summary>
internal sealed class ClusterSettingsValidator : IValidateOptions<SnapshotServiceHostOptions>
{
    private const string Section = "SnapshotService:Cluster";

    public ValidateOptionsResult Validate(string? name, SnapshotServiceHostOptions options)
    {
        var cluster = options.Cluster;
        var problems = new List<string>();
        if (!string.Equals(cluster.Mode, ClusterSettings.EmbeddedMode, StringComparison.OrdinalIgnoreCase) && !cluster.IsRedis)
        {
            problems.Add($"{Section}:Mode must be '{ClusterSettings.EmbeddedMode}' or '{ClusterSettings.RedisMode}' (was '{cluster.Mode}').");
        }
        if (string.IsNullOrWhiteSpace(cluster.ClusterId))
        {
            problems.Add($"{Section}:ClusterId must not be empty.");
        }
        if (string.IsNullOrWhiteSpace(cluster.ServiceId))
        {
            problems.Add($"{Section}:ServiceId must not be empty.");
        }
        if (cluster.AdvertisedAddress.Length > 0 && !IPAddress.TryParse(cluster.AdvertisedAddress, out _))
        {
            problems.Add($"{Section}:AdvertisedAddress must be an IP address (was '{cluster.AdvertisedAddress}').");
        }
        if (cluster.IsRedis)
        {
            CheckRedis(cluster.Redis.ConnectionString, problems);
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void CheckRedis(string connectionString, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            problems.Add($"{Section}:Redis:ConnectionString is required when {Section}:Mode is Redis (e.g. 'redis.example:6380,ssl=true,password=…').");
            return;
        }
        try
        {
            if (ConfigurationOptions.Parse(connectionString).EndPoints.Count == 0)
            {
                problems.Add($"{Section}:Redis:ConnectionString names no host:port.");
            }
        }
        catch (ArgumentException ex)
        {
            // The parser's message names the bad option, never the password's value.
            problems.Add($"{Section}:Redis:ConnectionString is not a valid Redis configuration string: {ex.Message}");
        }
    }
}
