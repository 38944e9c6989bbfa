using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SnapshotService.Errors;
using SnapshotService.Reconciliation.Reports;
using SnapshotService.Reconciliation.Schedules;
using SnapshotService.Sources;
using SnapshotService.Storage;

namespace SnapshotService.Grains.Scheduling;

/// <summary>
/// Keeps one source's reconciliation schedules and fires them. The export layer is the system of
/// record: every change and every firing's status is written to the schedule's file before the
/// grain acts on it, and activation reads the files back.
/// </summary>
/// <remarks>
/// Two clocks: a reminder (period 1 minute, the reminder service's minimum) that keeps the grain
/// active and re-activates it after a deactivation or silo loss, and a grain timer armed for the
/// exact next occurrence, which gives second-level precision without lowering
/// <c>ReminderOptions.MinimumReminderPeriod</c> (tests therefore run with the production reminder
/// settings). An occurrence whose time passed while nothing was active (silo down) is found on
/// activation (its persisted next fire time is in the past) and fires once; the next fire time is
/// then the first occurrence after now, so missed occurrences collapse into one catch-up run.
/// Runs are started without awaiting them in the grain's turn, so List/Set/Delete answer while a
/// run of many minutes is in flight; the run's outcome is recorded when it returns.
/// </remarks>
internal sealed partial class ReconciliationScheduleGrain(
    IObjectStore store,
    IChangeSourceFactory sources,
    IOptions<ScheduleOptions> options,
    TimeProvider time,
    ILogger<ReconciliationScheduleGrain> logger) : Grain, IReconciliationScheduleGrain, IRemindable
{
    /// <summary>The keep-alive reminder's name.</summary>
    internal const string ReminderName = "reconciliation-schedules";

    private static readonly TimeSpan KeepAlivePeriod = TimeSpan.FromMinutes(1);

    // Long waits are re-armed in steps: a timer's due time has an upper bound, and a step also
    // re-reads the clock, which keeps a weekly schedule exact after the host's clock was adjusted.
    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromMinutes(30);

    private readonly ScheduleStore _store = new(store);
    private readonly DriftReportStore _reports = new(store);
    private readonly SortedDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    // Serialises file writes: a run's outcome (recorded from a continuation) and a Set or firing
    // interleave at awaits, and each write must carry the newest in-memory state.
    private readonly SemaphoreSlim _writes = new(1, 1);
    private IGrainTimer? _timer;
    private bool _reminderRegistered;

    private string SourceId => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var listing = await _store.ListAsync(SourceId, cancellationToken);
        foreach (var problem in listing.Problems)
        {
            LogUnreadable(SourceId, problem);
        }
        var now = Now();
        var changed = new List<string>();
        foreach (var schedule in listing.Schedules)
        {
            ScheduleSpec spec;
            try
            {
                spec = ScheduleSpec.Restore(schedule.Cron, schedule.TimeZone, schedule.Every, now);
            }
            catch (SnapshotServiceException ex)
            {
                LogUnreadable(SourceId, $"Schedule '{schedule.ScheduleId}': {ex.Message}");
                continue;
            }
            var loaded = schedule;
            if (loaded.LastOutcome == ScheduleOutcomes.Running)
            {
                loaded = loaded with { LastOutcome = ScheduleOutcomes.Interrupted };
            }
            if (loaded.NextFireAt is null)
            {
                loaded = loaded with { NextFireAt = spec.NextAfter(now, loaded.UpdatedAt) };
            }
            _entries[loaded.ScheduleId] = new Entry(loaded, spec);
            if (loaded != schedule)
            {
                changed.Add(loaded.ScheduleId);
            }
        }
        foreach (var id in changed)
        {
            await PersistAsync(id);
        }
        await SyncReminderAsync();
        ArmTimer();
        LogLoaded(SourceId, _entries.Count, _entries.Count(e => e.Value.Schedule.NextFireAt <= now));
    }

    /// <inheritdoc />
    public async Task<ReconciliationSchedule> SetAsync(SetScheduleCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (ScheduleIds.Check(command.ScheduleId) is { } problem)
        {
            throw SnapshotServiceException.InvalidArgument("schedule_id", problem);
        }
        if (sources.KindOf(SourceId) is null)
        {
            throw SnapshotServiceException.NotFound($"source '{SourceId}' is not configured.", "source_id");
        }
        var now = Now();
        var spec = ScheduleSpec.Parse(command.Cron, command.TimeZone, command.Every, options.Value.MinimumInterval, now);
        _entries.TryGetValue(command.ScheduleId, out var previous);
        if (previous is null && _entries.Count >= ScheduleOptions.MaxSchedulesPerSource)
        {
            throw new SnapshotServiceException(
                ErrorKind.ResourceExhausted,
                $"source '{SourceId}' has {_entries.Count} schedules, the limit; delete one or change an existing one.",
                "schedule_id");
        }
        var old = previous?.Schedule;
        // A changed schedule counts its occurrences from now; its status fields carry over.
        var schedule = new ReconciliationSchedule(
            SourceId, command.ScheduleId, spec.Cron, spec.TimeZone, spec.Every, command.Mode, command.RepairPolicy,
            old?.CreatedAt ?? now, now, old?.LastFiredAt, old?.LastReportId, old?.LastOutcome, spec.NextAfter(now, now));
        _entries[command.ScheduleId] = new Entry(schedule, spec);
        try
        {
            await PersistAsync(command.ScheduleId);
        }
        catch
        {
            // Not stored, so not scheduled: memory must not run ahead of the system of record.
            if (previous is null)
            {
                _entries.Remove(command.ScheduleId);
            }
            else
            {
                _entries[command.ScheduleId] = previous;
            }
            throw;
        }
        LogSet(SourceId, command.ScheduleId, spec.ToString(), schedule.NextFireAt);
        await SyncReminderAsync();
        ArmTimer();
        return schedule;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ReconciliationSchedule>> ListAsync() =>
        Task.FromResult<IReadOnlyList<ReconciliationSchedule>>([.. _entries.Values.Select(e => e.Schedule)]);

    /// <inheritdoc />
    public async Task DeleteAsync(string scheduleId)
    {
        if (ScheduleIds.Check(scheduleId) is { } problem)
        {
            throw SnapshotServiceException.InvalidArgument("schedule_id", problem);
        }
        bool existed;
        await _writes.WaitAsync();
        try
        {
            existed = _entries.Remove(scheduleId);
            // Also removes a file that could not be read (and so was never loaded).
            existed |= await _store.DeleteAsync(SourceId, scheduleId, CancellationToken.None);
        }
        finally
        {
            _writes.Release();
        }
        if (!existed)
        {
            throw SnapshotServiceException.NotFound($"schedule '{scheduleId}' of source '{SourceId}' does not exist; list them with ListSchedules.", "schedule_id");
        }
        LogDeleted(SourceId, scheduleId);
        await SyncReminderAsync();
        ArmTimer();
    }

    /// <inheritdoc />
    public Task<int> WakeAsync() => Task.FromResult(_entries.Count);

    /// <inheritdoc />
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // The reminder's work is to have activated the grain (which loaded the schedules and
        // caught up); re-arming guards against a timer lost with a previous activation.
        if (_entries.Count == 0)
        {
            await SyncReminderAsync();
        }
        ArmTimer();
    }

    private async Task OnTimerAsync(CancellationToken cancellationToken)
    {
        var now = Now();
        foreach (var (id, entry) in _entries.ToList())
        {
            if (entry.Schedule.NextFireAt is { } due && due <= now)
            {
                await FireAsync(id, entry, now);
            }
        }
        ArmTimer();
    }

    private async Task FireAsync(string scheduleId, Entry entry, DateTimeOffset now)
    {
        var schedule = entry.Schedule;
        var fired = schedule with
        {
            LastFiredAt = now,
            LastReportId = null,
            LastOutcome = ScheduleOutcomes.Running,
            NextFireAt = entry.Spec.NextAfter(now, schedule.UpdatedAt),
        };
        _entries[scheduleId] = entry with { Schedule = fired };
        try
        {
            await PersistAsync(scheduleId);
        }
        catch (Exception ex)
        {
            // Fire anyway: the run matters more than its status line; the outcome write retries the file.
            LogPersistFailed(SourceId, scheduleId, ex);
        }
        LogFired(SourceId, scheduleId, schedule.NextFireAt, ScheduleNames.NameOf(fired.Mode), ScheduleNames.NameOf(fired.RepairPolicy));
        // Not awaited: the grain stays responsive while the run takes minutes. The continuation runs
        // on this activation's scheduler, so it reads and writes _entries single-threaded.
        _ = RunAndRecordAsync(scheduleId, fired.Mode, fired.RepairPolicy, now);
    }

    private async Task RunAndRecordAsync(string scheduleId, ReconcileMode mode, RepairPolicy policy, DateTimeOffset firedAt)
    {
        string outcome;
        string? reportId = null;
        try
        {
            var command = new ReconcileCommand(mode, DryRun: policy == RepairPolicy.ReportOnly);
            var result = await GrainFactory.GetGrain<IReconciliationGrain>(SourceId).RunAsync(command);
            reportId = result.ReportId;
            outcome = ScheduleOutcomes.Of(await _reports.GetAsync(SourceId, reportId, CancellationToken.None));
        }
        catch (Exception ex)
        {
            outcome = ScheduleOutcomes.Of(ex);
        }
        try
        {
            await RecordAsync(scheduleId, firedAt, reportId, outcome);
        }
        catch (Exception ex)
        {
            // Never let a status write break the scheduler; the next firing writes the file again.
            LogPersistFailed(SourceId, scheduleId, ex);
        }
    }

    private async Task RecordAsync(string scheduleId, DateTimeOffset firedAt, string? reportId, string outcome)
    {
        LogOutcome(SourceId, scheduleId, outcome, reportId ?? "-");
        // The status fields describe the latest firing that did something: a slow run that returns
        // after a newer firing started its own run does not overwrite that one, but it does replace
        // "skipped: … already running (report_id of this run)" — otherwise a run longer than the
        // interval would never show its result, only the skips it caused.
        if (!_entries.TryGetValue(scheduleId, out var entry)
            || (entry.Schedule.LastFiredAt != firedAt && entry.Schedule.LastOutcome != ScheduleOutcomes.Skipped(reportId ?? "")))
        {
            return;
        }
        _entries[scheduleId] = entry with { Schedule = entry.Schedule with { LastReportId = reportId, LastOutcome = outcome } };
        await PersistAsync(scheduleId);
    }

    /// <summary>Writes the in-memory state of a schedule (the newest at the time the write lock is taken).</summary>
    private async Task PersistAsync(string scheduleId)
    {
        await _writes.WaitAsync();
        try
        {
            if (_entries.TryGetValue(scheduleId, out var entry))
            {
                await _store.PutAsync(entry.Schedule, CancellationToken.None);
            }
        }
        finally
        {
            _writes.Release();
        }
    }

    private void ArmTimer()
    {
        var next = _entries.Values.Select(e => e.Schedule.NextFireAt).Where(t => t is not null).Min();
        if (next is null)
        {
            _timer?.Dispose();
            _timer = null;
            return;
        }
        var due = next.Value - Now();
        due = due < TimeSpan.Zero ? TimeSpan.Zero : due > MaxTimerDelay ? MaxTimerDelay : due;
        if (_timer is null)
        {
            // KeepAlive: an armed schedule keeps the grain active between reminder ticks.
            _timer = this.RegisterGrainTimer(OnTimerAsync, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        }
        else
        {
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task SyncReminderAsync()
    {
        if (_entries.Count > 0 && !_reminderRegistered)
        {
            await this.RegisterOrUpdateReminder(ReminderName, KeepAlivePeriod, KeepAlivePeriod);
            _reminderRegistered = true;
        }
        else if (_entries.Count == 0)
        {
            if (await this.GetReminder(ReminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
            _reminderRegistered = false;
        }
    }

    /// <summary>The current time in whole milliseconds, as the log and reports keep times.</summary>
    private DateTimeOffset Now()
    {
        var ticks = time.GetUtcNow().UtcTicks;
        return new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }

    private sealed record Entry(ReconciliationSchedule Schedule, ScheduleSpec Spec);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {SourceId}: {Count} reconciliation schedules loaded, {Due} due now")]
    private partial void LogLoaded(string sourceId, int count, int due);

    [LoggerMessage(Level = LogLevel.Error, Message = "Source {SourceId}: a schedule file could not be read and is ignored: {Problem}")]
    private partial void LogUnreadable(string sourceId, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {SourceId}: schedule {ScheduleId} set to {Spec}, next at {NextFireAt:o}")]
    private partial void LogSet(string sourceId, string scheduleId, string spec, DateTimeOffset? nextFireAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {SourceId}: schedule {ScheduleId} deleted")]
    private partial void LogDeleted(string sourceId, string scheduleId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {SourceId}: schedule {ScheduleId} fired for {Occurrence:o} ({Mode}, {Policy})")]
    private partial void LogFired(string sourceId, string scheduleId, DateTimeOffset? occurrence, string mode, string policy);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {SourceId}: schedule {ScheduleId} run ended: {Outcome} (report {ReportId})")]
    private partial void LogOutcome(string sourceId, string scheduleId, string outcome, string reportId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {SourceId}: schedule {ScheduleId} status could not be written")]
    private partial void LogPersistFailed(string sourceId, string scheduleId, Exception error);
}
