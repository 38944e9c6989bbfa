using Orleans.Configuration;
using SnapshotService.Capture;
using SnapshotService.Grains;
using SnapshotService.Host.Configuration;
using SnapshotService.Host.Health;
using SnapshotService.Reconciliation;
using SnapshotService.Reconciliation.Schedules;
using SnapshotService.State;

namespace SnapshotService.Host.Extensions;

internal static class OrleansExtensions
{
    public const string CaptureSection = "SnapshotService:Capture";

    public const string LiveStateSection = "SnapshotService:LiveState";

    public const string SourceSupervisorSection = "SnapshotService:SourceSupervisor";

    public const string MembershipSection = "SnapshotService:Cluster:Membership";

    /// <summary>
    /// The co-hosted silo: embedded (a single silo on loopback) or a member of a Redis-membership
    /// cluster, source capture, reconciliation schedules, and a readiness flag for health checks.
    /// </summary>
    public static IHostApplicationBuilder AddSnapshotServiceSilo(this IHostApplicationBuilder builder)
    {
        // Ports are needed while building; out-of-range values fall back to the defaults here and
        // are reported by start-up validation before the silo binds anything.
        var ports = builder.Configuration.ReadLeniently<OrleansSettings>($"{SnapshotServiceHostOptions.SectionName}:Orleans");
        var defaults = new OrleansSettings();
        var siloPort = IsPort(ports.SiloPort) ? ports.SiloPort : defaults.SiloPort;
        var gatewayPort = IsPort(ports.GatewayPort) ? ports.GatewayPort : defaults.GatewayPort;
        var cluster = builder.Configuration.ReadLeniently<ClusterSettings>($"{SnapshotServiceHostOptions.SectionName}:Cluster");

        builder.UseOrleans(silo =>
        {
            if (cluster.IsRedis)
            {
                silo.UseRedisMembership(cluster, siloPort, gatewayPort);
                silo.Services.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection(MembershipSection));
            }
            else
            {
                silo.UseLocalhostClustering(siloPort, gatewayPort);
                // Reminders only keep schedule grains alive; schedules themselves live in the export
                // layer and are re-woken on start, so a single silo can keep them in memory.
                silo.UseInMemoryReminderService();
            }
            silo.AddSourceCapture(
                options => builder.Configuration.GetSection(CaptureSection).Bind(options),
                options => builder.Configuration.GetSection(LiveStateSection).Bind(options),
                options => builder.Configuration.GetSection(ReconciliationOptions.SectionName).Bind(options));
            // Trace context flows from an API call into the grains it calls.
            silo.AddActivityPropagation();
            silo.AddReconciliationSchedules(options => builder.Configuration.GetSection(ScheduleOptions.SectionName).Bind(options));
        });

        builder.Services.AddOptions<CaptureOptions>().ValidateOnStart();
        builder.Services.AddOptions<LiveStateMaintenanceOptions>().ValidateOnStart();
        builder.Services.AddOptions<ReconciliationOptions>().ValidateOnStart();
        builder.Services.AddOptions<ScheduleOptions>().ValidateOnStart();
        builder.Services.AddOptions<SourceSupervisorOptions>().Bind(builder.Configuration.GetSection(SourceSupervisorSection)).ValidateOnStart();
        builder.Services.AddSingleton<SiloReadiness>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SiloReadiness>());
        return builder;
    }

    private static bool IsPort(int port) => port is >= 1 and <= 65535;
}
