using SnapshotService.Grains;
using SnapshotService.Storage;

namespace SnapshotService.Reconciliation.Schedules;

/// <summary>What <see cref="ScheduleStore.ListAsync"/> found.</summary>
/// <param name="Schedules">The readable schedules, ordered by schedule id.</param>
/// <param name="Problems">One line per schedule file that could not be read (key and reason); such files are left in place.</param>
public sealed record ScheduleListing(IReadOnlyList<ReconciliationSchedule> Schedules, IReadOnlyList<string> Problems);

/// <summary>
/// Reconciliation schedules in the export layer, the system of record:
/// <c>sources/{sourceId}/schedules/{scheduleId}.json</c>, one small file per schedule, replaced
/// atomically (<see cref="IObjectStore.PutAsync"/>) whenever the schedule or its status changes.
/// </summary>
public sealed class ScheduleStore(IObjectStore store)
{
    /// <summary>The object store.</summary>
    public IObjectStore Store { get; } = store;

    /// <summary>Lists a source's schedules. An unreadable file is reported in <see cref="ScheduleListing.Problems"/>, not thrown, so one bad file never stops the others from firing.</summary>
    public async Task<ScheduleListing> ListAsync(string sourceId, CancellationToken cancellationToken)
    {
        var schedules = new List<ReconciliationSchedule>();
        var problems = new List<string>();
        var prefix = StoreKeys.SchedulesPrefix(sourceId);
        await foreach (var entry in Store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            var name = entry.Key[prefix.Length..];
            if (name.Contains('/', StringComparison.Ordinal) || !name.EndsWith(".json", StringComparison.Ordinal))
            {
                continue;
            }
            var bytes = await Store.ReadAsync(entry.Key, cancellationToken).ConfigureAwait(false);
            if (bytes is null)
            {
                continue; // deleted between list and read
            }
            try
            {
                var schedule = ScheduleJson.Decode(entry.Key, bytes);
                if (schedule.SourceId != sourceId || entry.Key != StoreKeys.Schedule(sourceId, schedule.ScheduleId))
                {
                    throw new InvalidDataException($"Schedule '{entry.Key}' names source '{schedule.SourceId}' and schedule '{schedule.ScheduleId}', which do not match its key.");
                }
                schedules.Add(schedule);
            }
            catch (InvalidDataException ex)
            {
                problems.Add(ex.Message);
            }
        }
        schedules.Sort((a, b) => string.CompareOrdinal(a.ScheduleId, b.ScheduleId));
        return new ScheduleListing(schedules, problems);
    }

    /// <summary>Reads one schedule, or null when it does not exist.</summary>
    public async Task<ReconciliationSchedule?> GetAsync(string sourceId, string scheduleId, CancellationToken cancellationToken)
    {
        var key = StoreKeys.Schedule(sourceId, scheduleId);
        var bytes = await Store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : ScheduleJson.Decode(key, bytes);
    }

    /// <summary>Creates or atomically replaces a schedule's file.</summary>
    public async Task PutAsync(ReconciliationSchedule schedule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var key = StoreKeys.Schedule(schedule.SourceId, schedule.ScheduleId);
        await Store.PutAsync(key, ScheduleJson.Encode(schedule), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a schedule's file; false when it did not exist.</summary>
    public async Task<bool> DeleteAsync(string sourceId, string scheduleId, CancellationToken cancellationToken) =>
        await Store.DeleteAsync(StoreKeys.Schedule(sourceId, scheduleId), cancellationToken).ConfigureAwait(false);
}
