namespace SnapshotService.Grains;

/// <summary>
/// One grain per source (keyed by source id): keeps that source's reconciliation schedules, persists
/// them in the export layer, and fires each on time by calling the source's
/// <see cref="IReconciliationGrain"/>. A reminder keeps the grain alive and wakes it after it was
/// deactivated; a grain timer fires the exact next occurrence.
/// </summary>
[Alias("SnapshotService.IReconciliationScheduleGrain")]
public interface IReconciliationScheduleGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates or replaces a schedule and returns it with its next fire time. Refusals name the
    /// field: schedule_id, cron, every, time_zone, or "exactly one of cron or every" (InvalidArgument);
    /// an unknown source (NotFound).
    /// </summary>
    [Alias("Set")]
    Task<ReconciliationSchedule> SetAsync(SetScheduleCommand command);

    /// <summary>The source's schedules with their status, ordered by schedule id.</summary>
    [Alias("List")]
    Task<IReadOnlyList<ReconciliationSchedule>> ListAsync();

    /// <summary>Deletes a schedule; NotFound (schedule_id) when it does not exist.</summary>
    [Alias("Delete")]
    Task DeleteAsync(string scheduleId);

    /// <summary>
    /// Activates the grain so that it loads its persisted schedules, registers its reminder and arms
    /// its timer (an occurrence missed while the silo was down fires once). Called for every source
    /// with schedules when a silo starts; returns how many schedules the source has.
    /// </summary>
    [Alias("Wake")]
    Task<int> WakeAsync();
}
