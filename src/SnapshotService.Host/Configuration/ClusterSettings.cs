namespace SnapshotService.Host.Configuration;

/// <summary>
/// How silos find each other (<c>SnapshotService:Cluster</c>). <c>Embedded</c> (the default) is a
/// single silo on loopback; <c>Redis</c> keeps membership and reminders in Redis so several silos
/// form one cluster, each source grain active once cluster-wide.
/// </summary>
public sealed class ClusterSettings
{
    /// <summary>The embedded single-silo mode.</summary>
    public const string EmbeddedMode = "Embedded";

    /// <summary>Membership and reminders in Redis.</summary>
    public const string RedisMode = "Redis";

    /// <summary><c>Embedded</c> or <c>Redis</c>.</summary>
    public string Mode { get; set; } = EmbeddedMode;

    /// <summary>Silos with the same ClusterId form one cluster (Orleans ClusterOptions.ClusterId).</summary>
    public string ClusterId { get; set; } = "snapshotservice";

    /// <summary>Stable across deployments of the same service (Orleans ClusterOptions.ServiceId).</summary>
    public string ServiceId { get; set; } = "snapshotservice";

    /// <summary>
    /// The IP address other silos use to reach this one. Empty: the machine's first non-loopback
    /// IPv4 address (a container's own address in Container Apps).
    /// </summary>
    public string AdvertisedAddress { get; set; } = "";

    /// <summary>Redis for membership and reminders.</summary>
    public RedisSettings Redis { get; set; } = new();

    /// <summary>True when <see cref="Mode"/> names Redis (case-insensitive).</summary>
    public bool IsRedis => string.Equals(Mode, RedisMode, StringComparison.OrdinalIgnoreCase);
}

/// <summary>The Redis used for cluster membership and reminders.</summary>
public sealed class RedisSettings
{
    /// <summary>A StackExchange.Redis configuration string, e.g. <c>host:6380,ssl=true,password=…</c>. A secret: never logged.</summary>
    public string ConnectionString { get; set; } = "";
}
