using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SnapshotService.Configuration;
using SnapshotService.Grains.Scheduling;
using SnapshotService.Reconciliation.Schedules;

namespace SnapshotService.Grains;

/// <summary>Registers reconciliation schedules on a silo.</summary>
public static class ScheduleSiloBuilderExtensions
{
    /// <summary>
    /// Adds the schedule options (validated at start) and the start-up task that wakes every
    /// configured source's schedules. The silo also needs a reminder service: the embedded host uses
    /// <c>UseInMemoryReminderService()</c>; a cluster needs a durable one (e.g. Redis).
    /// </summary>
    public static ISiloBuilder AddReconciliationSchedules(this ISiloBuilder silo, Action<ScheduleOptions>? configure = null)
    {
        var options = silo.Services.AddOptions<ScheduleOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        silo.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ScheduleOptions>>(
            new ProblemsValidator<ScheduleOptions>(o => o.Validate())));
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddSingleton<ScheduleWaker>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<ScheduleWaker>());
        return silo;
    }
}
