using Orleans.Configuration;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using SnapshotService.Host.Configuration;
using StackExchange.Redis;

namespace SnapshotService.Host.Extensions;

internal static class RedisClusterExtensions
{
    /// <summary>
    /// Cluster membership and reminders in Redis: every silo with the same ClusterId joins one
    /// cluster, Orleans keeps each source grain active once cluster-wide and re-activates it on a
    /// survivor when its silo is declared dead (export-log fencing guards the moments in between).
    /// </summary>
    public static ISiloBuilder UseRedisMembership(this ISiloBuilder silo, ClusterSettings cluster, int siloPort, int gatewayPort)
    {
        silo.Configure<ClusterOptions>(options =>
        {
            options.ClusterId = cluster.ClusterId;
            options.ServiceId = cluster.ServiceId;
        });
        // An explicit address is also the only one listened on (tests run several silos on
        // loopback); a detected one listens on every interface, as a container needs.
        var advertised = IPAddress.TryParse(cluster.AdvertisedAddress, out var configured) ? configured : DetectAddress();
        silo.ConfigureEndpoints(advertised, siloPort, gatewayPort, listenOnAnyHostAddress: configured is null);
        // Parsed on each use: the options objects are not shared between the two providers.
        silo.UseRedisClustering(options => options.ConfigurationOptions = ParseLeniently(cluster.Redis.ConnectionString));
        silo.UseRedisReminderService(options => options.ConfigurationOptions = ParseLeniently(cluster.Redis.ConnectionString));
        return silo;
    }

    /// <summary>
    /// The providers are constructed before start-up validation runs; a bad string must reach the
    /// operator as <see cref="ClusterSettingsValidator"/>'s message naming the setting, not as a
    /// parser exception from inside Orleans.
    /// </summary>
    private static ConfigurationOptions ParseLeniently(string connectionString)
    {
        try
        {
            return ConfigurationOptions.Parse(connectionString);
        }
        catch (ArgumentException)
        {
            return new ConfigurationOptions();
        }
    }

    /// <summary>The first up, non-loopback IPv4 address: the address other silos can reach.</summary>
    private static IPAddress DetectAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(nic => nic.OperationalStatus == OperationalStatus.Up && nic.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
            .Select(unicast => unicast.Address)
            .FirstOrDefault(address => address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(address))
        ?? throw new InvalidOperationException(
            "SnapshotService:Cluster:AdvertisedAddress is empty and this machine has no non-loopback IPv4 address to advertise; set it to the IP other silos can reach.");
}
