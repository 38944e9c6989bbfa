using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SnapshotService.Capture;
using SnapshotService.Configuration;
using SnapshotService.Reconciliation;
using SnapshotService.State;

namespace SnapshotService.Grains;

/// <summary>Registers source capture on a silo.</summary>
public static class SiloBuilderExtensions
{
    /// <summary>
    /// Adds what the source grains need besides the ports, and a start-up task that activates the
    /// grain of every configured source so capture starts with the silo. The host must register an
    /// <see cref="Storage.IObjectStore"/> and an <see cref="Sources.IChangeSourceFactory"/>.
    /// </summary>
    public static ISiloBuilder AddSourceCapture(
        this ISiloBuilder silo,
        Action<CaptureOptions>? configure = null,
        Action<LiveStateMaintenanceOptions>? configureLiveState = null,
        Action<ReconciliationOptions>? configureReconciliation = null)
    {
        var reconciliation = silo.Services.AddOptions<ReconciliationOptions>();
        if (configureReconciliation is not null)
        {
            reconciliation.Configure(configureReconciliation);
        }
        silo.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ReconciliationOptions>>(
            new ProblemsValidator<ReconciliationOptions>(o => o.Validate())));
        var liveState = silo.Services.AddOptions<LiveStateMaintenanceOptions>();
        if (configureLiveState is not null)
        {
            liveState.Configure(configureLiveState);
        }
        silo.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LiveStateMaintenanceOptions>>(
            new ProblemsValidator<LiveStateMaintenanceOptions>(o => o.Validate())));
        var options = silo.Services.AddOptions<CaptureOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        silo.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CaptureOptions>>(
            new ProblemsValidator<CaptureOptions>(o => o.Validate())));
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddOptions<SourceSupervisorOptions>();
        silo.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SourceSupervisorOptions>>(
            new ProblemsValidator<SourceSupervisorOptions>(o => o.Validate())));
        silo.Services.AddSingleton<SourceSupervisor>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SourceSupervisor>());
        return silo;
    }
}
