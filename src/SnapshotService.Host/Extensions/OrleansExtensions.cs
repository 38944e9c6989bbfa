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

    /// <summary>
    /// The co-hosted silo: localhost clustering on the configured ports (a single-silo cluster on
    /// loopback), source capture, and a readiness flag for health checks.
    /// </summary>
    public static IHostApplicationBuilder AddSnapshotServiceSilo(this IHostApplicationBuilder builder)
    {
        // Ports are needed while building; out-of-range values fall back to the defaults here and
        // are reported by start-up validation before the silo binds anything.
        var ports = builder.Configuration.ReadLeniently<OrleansSettings>($"{SnapshotServiceHostOptions.SectionName}:Orleans");
        var defaults = new OrleansSettings();
        var siloPort = IsPort(ports.SiloPort) ? ports.SiloPort : defaults.SiloPort;
        var gatewayPort = IsPort(ports.GatewayPort) ? ports.GatewayPort : defaults.GatewayPort;

        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort);
            silo.AddSourceCapture(
                options => builder.Configuration.GetSection(CaptureSection).Bind(options),
                options => builder.Configuration.GetSection(LiveStateSection).Bind(options),
                options => builder.Configuration.GetSection(ReconciliationOptions.SectionName).Bind(options));
            // Reminders only keep schedule grains alive; schedules themselves live in the export
            // layer and are re-woken on start. Cluster mode: Redis reminders (a later issue).
            silo.UseInMemoryReminderService();
            silo.AddReconciliationSchedules(options => builder.Configuration.GetSection(ScheduleOptions.SectionName).Bind(options));
        });

        builder.Services.AddOptions<CaptureOptions>().ValidateOnStart();
        builder.Services.AddOptions<LiveStateMaintenanceOptions>().ValidateOnStart();
        builder.Services.AddOptions<ReconciliationOptions>().ValidateOnStart();
        builder.Services.AddOptions<ScheduleOptions>().ValidateOnStart();
        builder.Services.AddSingleton<SiloReadiness>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SiloReadiness>());
        return builder;
    }

    private static bool IsPort(int port) => port is >= 1 and <= 65535;
}
