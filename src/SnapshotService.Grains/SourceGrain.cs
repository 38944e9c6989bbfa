using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SnapshotService.Capture;
using SnapshotService.Errors;
using SnapshotService.Log;
using SnapshotService.Repair;
using SnapshotService.Retention;
using SnapshotService.Snapshots;
using SnapshotService.Sources;
using SnapshotService.State;
using SnapshotService.Storage;
using SnapshotService.Telemetry;

namespace SnapshotService.Grains;

/// <summary>
/// Owns one source's capture: opens its export log on activation, resumes from the committed
/// position, runs the <see cref="CapturePipeline"/>, and serves status, pause/resume and anchors.
/// The pipeline runs on the thread pool; the grain only starts, stops and observes it.
/// </summary>
public sealed partial class SourceGrain(
    IObjectStore store,
    IChangeSourceFactory sources,
    IOptions<CaptureOptions> captureOptions,
    IOptions<LiveStateMaintenanceOptions> liveStateOptions,
    IOptions<RetentionOptions> retentionOptions,
    TimeProvider time,
    IClusterMembershipService membership,
    ILogger<SourceGrain> logger) : Grain, ISourceGrain
{
    private static readonly TimeSpan HeartbeatPeriod = TimeSpan.FromSeconds(5);

    // How often a fenced activation looks whether the writer that fenced it is gone: the gap
    // between that writer leaving and capture resuming here.
    private static readonly TimeSpan FenceWatchPeriod = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan HealthProbePeriod = TimeSpan.FromSeconds(10);

    // Orphan segments (written, never committed: a crash or a fenced writer) are collected once
    // they are old enough that no live writer can still be about to commit them.
    private static readonly TimeSpan GarbageMinAge = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan GarbagePeriod = TimeSpan.FromHours(1);
    private static readonly TimeSpan RetiredWriterMinAge = TimeSpan.FromHours(1);
    private static readonly TimeSpan UnretiredWriterMinAge = TimeSpan.FromDays(7);

    private readonly SnapshotAnchorStore _anchors = new(store);
    private readonly PauseFlag _pauseFlag = new(store);
    private string _sourceId = "";
    private string _kind = "";
    private string _description = "";
    private string _silo = "";
    private string _siloAddress = "";
    private WriterRegistry? _writers;
    private FencingWinnerCheck? _winnerCheck;
    private bool _writerRetired;
    private ExportLog? _log;
    private ExportLogReader? _reader;
    private IChangeSource? _source;
    private CapturePipeline? _pipeline;
    private SourceState _state = SourceState.Starting;
    private readonly CancellationTokenSource _maintenanceStop = new();
    private Task _maintenance = Task.CompletedTask;
    private long _lastGarbageCollection;
    private long _lastLiveStateCheck;
    private string? _failureReason;
    private readonly RecentSourceEvents _events = new(time);
    private ReconcileAfterHistoryLoss? _reconcileAfterLoss;
    private bool _reconcilePending;
    private Task<SourceHealth>? _healthProbe;
    private SourceHealth? _health;
    private long _lastHealthProbe;
    private readonly CaptureRecovery _recovery = new(() => captureOptions.Value);
    private SourceGaugeState? _gauges;
    private bool _overBudget;

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _sourceId = this.GetPrimaryKeyString();
        var silo = ServiceProvider.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        _silo = silo.Endpoint.ToString();
        _siloAddress = silo.ToParsableString();
        _gauges = SourceGauges.Track(_sourceId);
        _kind = sources.KindOf(_sourceId) ?? "";
        // The timer keeps the activation alive (capture must not stop when nobody calls) and
        // notices a pipeline that died between calls.
        this.RegisterGrainTimer(HeartbeatAsync, new GrainTimerCreationOptions(HeartbeatPeriod, HeartbeatPeriod) { KeepAlive = true });
        if (_kind.Length == 0)
        {
            Fail($"source '{_sourceId}' is not configured");
            return;
        }
        _writers = new WriterRegistry(store, _sourceId);
        _winnerCheck = new FencingWinnerCheck(store, _sourceId, address => membership.CurrentSnapshot.GetSiloStatus(address));
        this.RegisterGrainTimer(WatchFenceAsync, new GrainTimerCreationOptions(FenceWatchPeriod, FenceWatchPeriod));
        _reconcileAfterLoss = new ReconcileAfterHistoryLoss(store, _sourceId);
        _reconcilePending = await _reconcileAfterLoss.IsPendingAsync(cancellationToken);
        if (await _pauseFlag.IsPausedAsync(_sourceId, cancellationToken))
        {
            _state = SourceState.Paused;
            LogPausedOnActivation(_sourceId);
            return;
        }
        await StartCaptureAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Maintenance is crash-safe (put-if-absent, manifest last), so it may simply be abandoned.
        await _maintenanceStop.CancelAsync();
        var why = $"deactivated ({reason.ReasonCode}: {reason.Description})";
        if (AnotherActivationOwnsTheSource(reason.ReasonCode))
        {
            // A commit now would fence the activation that survives (it started from the committed
            // head); dropping the batch loses nothing, because the survivor re-reads it from there.
            LogDeactivatingAfterLostRace(_sourceId, reason.Description);
            await StopCaptureAsync(cancellationToken, why, abandon: true);
        }
        else
        {
            LogDeactivating(_sourceId, reason.Description);
            await StopCaptureAsync(cancellationToken, why);
        }
        if (_gauges is not null)
        {
            SourceGauges.Untrack(_gauges);
        }
    }

    /// <inheritdoc />
    public Task<SourceStatus> EnsureStartedAsync() => GetStatusAsync();

    /// <inheritdoc />
    public Task<SourceStatus> GetStatusAsync()
    {
        ObservePipeline();
        TakeHealthProbeResult();
        CheckLagBudget();
        RecordQualityEvents();
        var head = _pipeline?.Head ?? _log?.Head ?? LogHead.Empty;
        var lag = _pipeline?.LagSeconds ?? 0;
        return Task.FromResult(new SourceStatus(
            _sourceId,
            _kind,
            _state == SourceState.Running && _overBudget ? SourceState.Degraded : _state,
            _failureReason,
            head.LastSeq,
            head.CommitNumber,
            _source is IPositionSummarizer summarizer ? summarizer.Summarize(head.Position) : head.Position.ToString(),
            lag,
            head.LastCommitTime,
            _state == SourceState.Running ? _pipeline?.ChangesPerSecond ?? 0 : 0,
            _description)
        {
            HistoryHeadroomSeconds = _health?.HistoryHeadroom?.TotalSeconds,
            Backfill = _health?.Backfill,
            RecentEvents = _events.Newest(),
            Silo = _silo,
            WriterId = _log?.WriterId ?? "",
            PositionAgeSeconds = _pipeline?.PositionAgeSeconds ?? 0,
            LagBudgetSeconds = captureOptions.Value.LagBudgetFor(_sourceId).TotalSeconds,
            RangeLags = _health?.RangeLags ?? [],
        });
    }

    /// <inheritdoc />
    public async Task<SourceStatus> PauseAsync()
    {
        RequireConfigured();
        await _pauseFlag.SetAsync(_sourceId, paused: true, CancellationToken.None);
        await StopCaptureAsync(CancellationToken.None, "paused");
        _state = SourceState.Paused;
        _failureReason = null;
        LogPaused(_sourceId, _log?.Head.LastSeq ?? 0);
        return await GetStatusAsync();
    }

    /// <inheritdoc />
    public async Task<SourceStatus> ResumeAsync()
    {
        RequireConfigured();
        await _pauseFlag.SetAsync(_sourceId, paused: false, CancellationToken.None);
        ObservePipeline();
        if (_state != SourceState.Running)
        {
            await StopCaptureAsync(CancellationToken.None, "resumed: a new writer starts");
            await StartCaptureAsync(CancellationToken.None);
        }
        return await GetStatusAsync();
    }

    /// <inheritdoc />
    public Task<SnapshotAnchor> CreateSnapshotAsync(CreateSnapshotCommand command) =>
        SnapshotMetrics.MeasureAsync("create", _sourceId, null, () => CreateSnapshotMeasuredAsync(command));

    private async Task<SnapshotAnchor> CreateSnapshotMeasuredAsync(CreateSnapshotCommand command)
    {
        RequireConfigured();
        ObservePipeline();
        if (_pipeline is not null && _state == SourceState.Running && command.AtSequence is null && command.AtTime is null)
        {
            // "Latest" means what capture has read up to now, made durable first.
            await _pipeline.FlushAsync(CancellationToken.None);
            if (_source is IConsistentCut cut)
            {
                await WaitForConsistentCutAsync(cut, _pipeline);
            }
        }
        // One reader per activation: it caches commit records, so repeated anchors cost ~no reads.
        var reader = _reader ??= new ExportLogReader(store, _sourceId);
        var head = _log?.Head ?? await reader.ReadHeadAsync(CancellationToken.None);
        var anchor = await _anchors.CreateAsync(_sourceId, command, head, reader, CancellationToken.None);
        LogAnchorCreated(_sourceId, anchor.Id, anchor.Seq);
        RecordSchemaAtAnchor(anchor);
        return anchor;
    }

    /// <summary>
    /// Sources read in parallel parts (Cosmos DB feed ranges) have no single "now": the anchor waits,
    /// bounded by SnapshotCutTimeout, until the committed position has passed a cut taken when the
    /// request arrived, so the snapshot holds every change made before the request.
    /// </summary>
    private async Task WaitForConsistentCutAsync(IConsistentCut cut, CapturePipeline pipeline)
    {
        var taken = await cut.GetCutAsync(CancellationToken.None);
        var timeout = captureOptions.Value.SnapshotCutTimeout;
        var started = time.GetTimestamp();
        while (!cut.HasPassed(_log!.Head.Position, taken))
        {
            if (time.GetElapsedTime(started) > timeout || pipeline.Completion.IsCompleted)
            {
                throw SnapshotServiceException.FailedPrecondition(
                    $"capture of source '{_sourceId}' has not passed the consistent cut taken when the snapshot was requested within {timeout.TotalSeconds:0.#} s (a feed range is behind, or a backfill is still running); retry later, or pass at_seq / at_time for a snapshot of what is already captured.",
                    "source_id");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), time);
            await pipeline.FlushAsync(CancellationToken.None);
        }
    }

    /// <inheritdoc />
    public async Task<RepairOutcome> RepairAsync(RepairCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        RequireConfigured();
        ObservePipeline();
        RepairOutcome outcome;
        switch (_state)
        {
            case SourceState.Running when _pipeline is { } pipeline:
                outcome = await pipeline.RepairAsync(command, CancellationToken.None);
                break;
            case SourceState.Paused:
                // No capture loop owns the log while paused: this turn is its only writer.
                var log = await OpenLogAsync(CancellationToken.None);
                var guard = await RepairGuard.LoadAsync(store, _sourceId, CancellationToken.None);
                try
                {
                    outcome = await new RepairCommitter(log, guard, await NewGateAsync(CancellationToken.None)).CommitAsync(command, CancellationToken.None);
                }
                finally
                {
                    await RetireWriterAsync(log.WriterId, "paused: repair written");
                }
                _log = log;
                _writerRetired = true;
                break;
            default:
                throw SnapshotServiceException.FailedPrecondition(
                    $"source '{_sourceId}' is {_state.ToString().ToLowerInvariant()}{(_failureReason is null ? "" : ": " + _failureReason)}; repairs are written through its capture path, so resume the source first.",
                    "source_id");
        }
        LogRepaired(_sourceId, outcome.Written, outcome.SkippedNewer, outcome.FirstSeq ?? 0, outcome.LastSeq ?? 0);
        return outcome;
    }

    /// <inheritdoc />
    public async Task<SourceStatus> BackfillAsync(BackfillCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        RequireConfigured();
        BackfillRequests.Validate(command);
        ObservePipeline();
        if (_state != SourceState.Running || _source is null)
        {
            throw SnapshotServiceException.FailedPrecondition(
                $"source '{_sourceId}' is {_state.ToString().ToLowerInvariant()}{(_failureReason is null ? "" : ": " + _failureReason)}; a backfill runs through capture, so resume the source first.",
                "source_id");
        }
        if (_source is not IBackfillControl backfill)
        {
            throw SnapshotServiceException.FailedPrecondition(
                $"source_id '{_sourceId}' names a source of kind '{_kind}', which cannot backfill; run a reconciliation with repair instead (it re-reads and rewrites what differs).",
                "source_id");
        }
        backfill.RequestBackfill(command.Keys);
        var what = command.Keys is null ? "the whole collection" : $"{command.Keys.Count} keys";
        _events.Add("backfill_requested", $"backfill of {what} requested; it starts with the next commit");
        LogBackfillRequested(_sourceId, what);
        return await GetStatusAsync();
    }

    /// <inheritdoc />
    public Task<LogVerificationReport> VerifyLogAsync()
    {
        RequireConfigured();
        return LogVerifier.VerifyAsync(store, _sourceId, CancellationToken.None);
    }

    private async Task StartCaptureAsync(CancellationToken cancellationToken)
    {
        _state = SourceState.Starting;
        _failureReason = null;
        _recovery.OnStarting();
        try
        {
            _source = sources.Create(_sourceId);
            _description = _source.Describe().Description;
            _log = await OpenLogAsync(cancellationToken);
            _writerRetired = false;
            var guard = await RepairGuard.LoadAsync(store, _sourceId, cancellationToken);
            _pipeline = new CapturePipeline(_source, _log, captureOptions.Value, time, guard);
            _pipeline.Gate.Contract = await LoadContractAsync(cancellationToken);
            (_deadLettersSeen, _flaggedSeen, _schemaChangesSeen) = (0, 0, 0);
            if (LogHeadWatch.Observe(_sourceId, _log.Head.CommitNumber) is { } newerSeen)
            {
                LogHeadRegressed(_sourceId, _log.Head.CommitNumber, newerSeen);
            }
            _pipeline.Start();
            if (_gauges is not null)
            {
                _gauges.Pipeline = _pipeline;
            }
            _state = SourceState.Running;
            LogStarted(_sourceId, _log.Head.LastSeq, _log.Head.Position.ToString(), _log.WriterId);
            StartMaintenanceIfDue(afterStart: true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Fail($"capture could not start: {ex.Message}", ex, restart: true);
        }
    }

    /// <summary>
    /// Stops capture: commits what was read (or, with <paramref name="abandon"/>, drops it), then
    /// records the writer as retired — it never commits again — so a writer it fenced may take over.
    /// </summary>
    private async Task StopCaptureAsync(CancellationToken cancellationToken, string why, bool abandon = false)
    {
        if (_gauges is not null)
        {
            _gauges.Pipeline = null;
        }
        if (_pipeline is { } pipeline)
        {
            try
            {
                if (abandon)
                {
                    await pipeline.AbandonAsync();
                }
                else
                {
                    await pipeline.StopAsync(cancellationToken);
                    await pipeline.Completion;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Stopping observes the failure; the state already says (or now says) why.
                ObservePipeline();
            }
            // The final drain may have committed batches with notices: act on them before they go.
            await HandleNoticesAsync();
            await pipeline.DisposeAsync();
            _pipeline = null;
        }
        if (_source is { } source)
        {
            await source.DisposeAsync();
            _source = null;
        }
        if (_log is { } log && !_writerRetired)
        {
            _writerRetired = true;
            await RetireWriterAsync(log.WriterId, why);
        }
    }

    /// <summary>Turns a pipeline that ended on its own into the Failed state, with the reason.</summary>
    private void ObservePipeline()
    {
        if (_pipeline is not { Completion.IsCompleted: true } pipeline || _state != SourceState.Running)
        {
            return;
        }
        var error = pipeline.Completion.Exception?.GetBaseException();
        if (error is SourceInvalidatedException invalidated)
        {
            _state = SourceState.Invalidated;
            _failureReason = invalidated.Message;
            _events.Add("invalidated", invalidated.Message);
            LogInvalidated(_sourceId, invalidated.Message);
            return;
        }
        Fail(error switch
        {
            LogFencedException fenced => $"fenced: {fenced.Message}",
            null => "capture stopped unexpectedly without an error",
            _ => $"capture failed: {error.Message}",
        }, error, restart: error is not LogFencedException);
        if (error is LogFencedException)
        {
            // Watched by the heartbeat: taken over only once the winner has gone quiet.
            _recovery.OnFenced(time.GetUtcNow());
        }
    }

    /// <summary>
    /// Lag or position age above the source's budget makes it degraded: logged and recorded once
    /// when it starts and once when it clears, not on every check.
    /// </summary>
    private void CheckLagBudget()
    {
        var over = false;
        double lag = 0, age = 0;
        var budget = captureOptions.Value.LagBudgetFor(_sourceId);
        if (_state == SourceState.Running && _pipeline is { } pipeline)
        {
            lag = pipeline.LagSeconds;
            age = pipeline.PositionAgeSeconds;
            over = Math.Max(lag, age) > budget.TotalSeconds;
        }
        if (over == _overBudget)
        {
            return;
        }
        _overBudget = over;
        if (over)
        {
            var message = $"lag {lag:F1} s / position age {age:F1} s exceed the latency budget of {budget.TotalSeconds:F0} s";
            _events.Add("degraded", message);
            LogDegraded(_sourceId, message);
        }
        else
        {
            _events.Add("recovered", "capture is back within its latency budget");
            LogRecovered(_sourceId);
        }
    }

    /// <summary>Stops with a reason; with <paramref name="restart"/>, the heartbeat tries again after a growing delay.</summary>
    private void Fail(string reason, Exception? error = null, bool restart = false)
    {
        _state = SourceState.Failed;
        _failureReason = reason;
        if (restart)
        {
            _recovery.OnError(time.GetUtcNow());
        }
        else
        {
            _recovery.OnStoppedForGood();
        }
        LogFailed(_sourceId, reason, error);
    }

    /// <summary>Restarts capture that failed on an error (store or source outage) once its backoff is due.</summary>
    private async Task RestartAfterFailureIfDueAsync()
    {
        var now = time.GetUtcNow();
        if (_state == SourceState.Running)
        {
            _recovery.OnRunning(now);
        }
        if (_state != SourceState.Failed || !_recovery.TakeErrorRestart(now))
        {
            return;
        }
        var message = $"restart {_recovery.ConsecutiveRestarts} after: {_failureReason}";
        _events.Add("capture_restarted", message);
        LogRestarting(_sourceId, message);
        await StopCaptureAsync(CancellationToken.None, message);
        await StartCaptureAsync(CancellationToken.None);
    }

    private void RequireConfigured()
    {
        if (_kind.Length == 0)
        {
            throw SnapshotServiceException.NotFound($"source '{_sourceId}' is not configured.", "source_id");
        }
    }

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        ObservePipeline();
        CheckLagBudget();
        RecordQualityEvents();
        await RestartAfterFailureIfDueAsync();
        await HandleNoticesAsync();
        StartReconcileAfterHistoryLossIfDue();
        StartHealthProbeIfDue();
        StartMaintenanceIfDue(afterStart: false);
    }

    /// <summary>Records the notices of committed batches; a re-backfill after history loss asks for a full reconciliation.</summary>
    private async Task HandleNoticesAsync()
    {
        if (_pipeline is not { } pipeline)
        {
            return;
        }
        foreach (var notice in pipeline.TakeCommittedNotices())
        {
            var kind = notice.Kind switch
            {
                SourceNoticeKind.HistoryLost => "history_lost",
                SourceNoticeKind.BackfillStarted => "backfill_started",
                _ => "backfill_completed",
            };
            _events.Add(kind, notice.Message);
            LogNotice(_sourceId, kind, notice.Message);
            if (notice.Kind == SourceNoticeKind.BackfillCompleted && notice.AfterHistoryLoss && _reconcileAfterLoss is { } pending)
            {
                // Durable before acting on it: a crash now still reconciles after the restart.
                await pending.RequestAsync(notice.Message, CancellationToken.None);
                _reconcilePending = true;
            }
        }
    }

    /// <summary>
    /// Runs the full reconciliation with repair that history loss calls for, once the re-backfill
    /// is committed. Not awaited by the heartbeat: the reconciliation grain calls back into this
    /// grain to repair, so waiting for it inside a turn would deadlock.
    /// </summary>
    private void StartReconcileAfterHistoryLossIfDue()
    {
        if (!_reconcilePending || _state != SourceState.Running || _reconcileAfterLoss is not { } pending || !pending.MayStart(time.GetUtcNow()))
        {
            return;
        }
        pending.Started(RunReconcileAfterHistoryLossAsync(pending));
    }

    private async Task RunReconcileAfterHistoryLossAsync(ReconcileAfterHistoryLoss pending)
    {
        _events.Add("reconciliation_started", "full reconciliation with repair started because history was lost and the re-backfill finished");
        try
        {
            var outcome = await GrainFactory.GetGrain<IReconciliationGrain>(_sourceId).RunAsync(new ReconcileCommand(ReconcileMode.Full, DryRun: false));
            await pending.DoneAsync(CancellationToken.None);
            _reconcilePending = false;
            _events.Add("reconciliation_finished", $"full reconciliation after history loss finished: drift report {outcome.ReportId}");
            LogReconciledAfterHistoryLoss(_sourceId, outcome.ReportId);
        }
        catch (Exception ex)
        {
            pending.BackOff(time.GetUtcNow());
            _events.Add("reconciliation_failed", $"full reconciliation after history loss did not run: {ex.Message}; retried in a minute");
            LogReconcileAfterHistoryLossFailed(_sourceId, ex);
        }
    }

    /// <summary>Asks the adapter for its health (history headroom, backfill) in the background, every few seconds.</summary>
    private void StartHealthProbeIfDue()
    {
        TakeHealthProbeResult();
        if (_source is not ISourceHealthProbe probe || _state != SourceState.Running || _healthProbe is not null ||
            time.GetElapsedTime(_lastHealthProbe) < HealthProbePeriod)
        {
            return;
        }
        _lastHealthProbe = time.GetTimestamp();
        _healthProbe = Task.Run(async () =>
        {
            using var timeout = new CancellationTokenSource(HealthProbePeriod);
            return await probe.GetHealthAsync(timeout.Token);
        });
    }

    private void TakeHealthProbeResult()
    {
        if (_healthProbe is not { IsCompleted: true } probe)
        {
            return;
        }
        _healthProbe = null;
        if (probe.IsCompletedSuccessfully)
        {
            _health = probe.Result;
            if (_gauges is not null)
            {
                _gauges.HistoryHeadroomSeconds = _health.HistoryHeadroom?.TotalSeconds;
                _gauges.RangeLags = _health.RangeLags;
            }
        }
        else
        {
            LogHealthProbeFailed(_sourceId, probe.Exception?.GetBaseException());
        }
    }

    /// <summary>
    /// Starts background upkeep of the export on the thread pool, one run at a time: log GC
    /// (orphan segments) and retention (after start, then hourly) and the live-state checkpoint (checked every
    /// LiveState:CheckInterval, compacted when due). Neither blocks capture or the grain.
    /// </summary>
    private void StartMaintenanceIfDue(bool afterStart)
    {
        if (_log is not { } log || _state != SourceState.Running || !_maintenance.IsCompleted)
        {
            return;
        }
        var collectGarbage = afterStart || time.GetElapsedTime(_lastGarbageCollection) >= GarbagePeriod;
        var checkLiveState = time.GetElapsedTime(_lastLiveStateCheck) >= liveStateOptions.Value.CheckInterval;
        if (!collectGarbage && !checkLiveState)
        {
            return;
        }
        _lastGarbageCollection = collectGarbage ? time.GetTimestamp() : _lastGarbageCollection;
        _lastLiveStateCheck = checkLiveState ? time.GetTimestamp() : _lastLiveStateCheck;
        var sourceId = _sourceId;
        var stop = _maintenanceStop.Token;
        _maintenance = Task.Run(() => MaintainAsync(log, sourceId, collectGarbage, checkLiveState, stop), CancellationToken.None);
    }

    private async Task MaintainAsync(ExportLog log, string sourceId, bool collectGarbage, bool checkLiveState, CancellationToken stop)
    {
        try
        {
            if (collectGarbage)
            {
                var removed = await log.CollectGarbageAsync(GarbageMinAge, stop);
                if (removed.Count > 0)
                {
                    LogGarbageCollected(sourceId, removed.Count);
                }
                // A retirement record matters only while a fenced writer watches for it (seconds);
                // a writer that never retired crashed, and its silo is long declared dead.
                await new WriterRegistry(store, sourceId).CollectAsync(RetiredWriterMinAge, UnretiredWriterMinAge, log.WriterId, time.GetUtcNow(), stop);
            }
            if (checkLiveState)
            {
                var manifest = await LiveStateMaintenance.RunAsync(store, sourceId, liveStateOptions.Value, force: false, stop);
                if (manifest is not null)
                {
                    LogLiveStateCompacted(sourceId, manifest.LastSeq, manifest.Count, manifest.Ranges.Count);
                }
            }
            if (collectGarbage)
            {
                // After compaction: the retention boundary is a checkpoint, so a fresh one lets it advance.
                var retention = await RetentionCollector.CollectAsync(store, sourceId, retentionOptions.Value, time.GetUtcNow(), stop);
                if (retention.DeletedAnything)
                {
                    LogRetention(sourceId, retention.FirstRetainedSeq, retention.SegmentsDeleted, retention.ManifestsDeleted, retention.ViewFilesDeleted, retention.BytesFreed);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Deactivating: the next activation picks up where this left off.
        }
        catch (Exception ex)
        {
            LogMaintenanceFailed(sourceId, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Source {SourceId}: the export log's head is commit {CommitNumber}, older than commit {NewerSeen} this process saw before; was the export store replaced or restored?")]
    private partial void LogHeadRegressed(string sourceId, long commitNumber, long newerSeen);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {SourceId} is degraded: {Message}")]
    private partial void LogDegraded(string sourceId, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {SourceId} recovered: capture is back within its latency budget")]
    private partial void LogRecovered(string sourceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {SourceId}: capture {Message}")]
    private partial void LogRestarting(string sourceId, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {SourceId}: capture started at seq {CommittedSeq}, position {Position}, writer {WriterId}")]
    private partial void LogStarted(string sourceId, long committedSeq, string position, string writerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {SourceId}: paused at seq {CommittedSeq}")]
    private partial void LogPaused(string sourceId, long committedSeq);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {SourceId}: paused by a user earlier; capture not started")]
    private partial void LogPausedOnActivation(string sourceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Source {SourceId}: failed: {Reason}")]
    private partial void LogFailed(string sourceId, string reason, Exception? error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {SourceId}: snapshot {SnapshotId} anchored at seq {Seq}")]
    private partial void LogAnchorCreated(string sourceId, string snapshotId, long seq);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {SourceId}: repair wrote {Written} records (seq {FirstSeq}..{LastSeq}), skipped {Skipped} keys capture had caught up on")]
    private partial void LogRepaired(string sourceId, int written, int skipped, long firstSeq, long lastSeq);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {SourceId}: removed {Count} orphan segment or temp files")]
    private partial void LogGarbageCollected(string sourceId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {SourceId}: live-state checkpoint at seq {Seq}: {LiveKeys} live keys in {Ranges} ranges")]
    private partial void LogLiveStateCompacted(string sourceId, long seq, long liveKeys, int ranges);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {SourceId}: retention keeps history from seq {FirstRetainedSeq}; deleted {Segments} segments, {Manifests} checkpoints, {ViewFiles} view files ({Bytes} bytes)")]
    private partial void LogRetention(string sourceId, long firstRetainedSeq, int segments, int manifests, int viewFiles, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {SourceId}: export maintenance (log GC, live-state compaction or retention) failed; it is retried later")]
    private partial void LogMaintenanceFailed(string sourceId, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {SourceId}: invalidated: {Reason}")]
    private partial void LogInvalidated(string sourceId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {SourceId}: backfill of {What} requested")]
    private partial void LogBackfillRequested(string sourceId, string what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {SourceId}: {Kind}: {Message}")]
    private partial void LogNotice(string sourceId, string kind, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {SourceId}: full reconciliation after history loss finished: report {ReportId}")]
    private partial void LogReconciledAfterHistoryLoss(string sourceId, string reportId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {SourceId}: full reconciliation after history loss did not run; retried in a minute")]
    private partial void LogReconcileAfterHistoryLossFailed(string sourceId, Exception error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Source {SourceId}: health probe failed")]
    private partial void LogHealthProbeFailed(string sourceId, Exception? error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {SourceId}: deactivating ({Reason}); flushing capture")]
    private partial void LogDeactivating(string sourceId, string reason);

}
