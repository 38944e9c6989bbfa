using System.Threading.Channels;
using SnapshotService.DeadLetters;
using SnapshotService.Grains;
using SnapshotService.Log;
using SnapshotService.Repair;
using SnapshotService.Schemas;
using SnapshotService.Sources;
using SnapshotService.Telemetry;

namespace SnapshotService.Capture;

/// <summary>
/// Moves changes from one <see cref="IChangeSource"/> into its <see cref="ExportLog"/>: a reader
/// task pulls batches after the log's committed position into a bounded channel; a committer task
/// groups them into commits by count, bytes and time. The channel bound is the backpressure: a
/// slow store makes the reader wait instead of growing memory. Repairs from reconciliation are
/// committed by the same committer task, between capture commits, so the log keeps one writer.
/// </summary>
/// <remarks>
/// Exactly-once effect comes from the log, not from here: every commit carries the source position
/// after its last change, and the reader always starts from the log's committed position, so a
/// crash anywhere only loses work that was never committed and is re-read on restart.
/// </remarks>
public sealed class CapturePipeline : IAsyncDisposable
{
    private static readonly TimeSpan IdleBackoff = TimeSpan.FromMilliseconds(20);
    private readonly IChangeSource _source;
    private readonly ExportLog _log;
    private readonly CaptureOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<ChangeBatch> _channel;
    private readonly CancellationTokenSource _stopReading = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly Lock _flushLock = new();
    private readonly CommitRateMeter _rate;
    private readonly RepairCommitter _repairs;
    private readonly SchemaStore _schemas;
    private SchemaTracker? _schema;
    private long _schemaSavedSeq;
    private Task _schemaSave = Task.CompletedTask;
    private long _schemaChanges;
    private readonly System.Collections.Concurrent.ConcurrentQueue<SourceNotice> _committedNotices = new();
    private TaskCompletionSource _flushRequested = NewSignal();
    private List<TaskCompletionSource> _flushWaiters = [];
    private List<(RepairCommand Command, TaskCompletionSource<RepairOutcome> Done)> _repairRequests = [];
    private Task _reader = Task.CompletedTask;
    private Task _committer = Task.CompletedTask;
    private SourceWatermark? _watermark;
    private long _positionAdvancedAt;
    private volatile bool _abandoned;

    /// <summary>Creates a pipeline; call <see cref="Start"/> to run it.</summary>
    /// <param name="source">The source to read.</param>
    /// <param name="log">The log to append to (this pipeline becomes its only writer).</param>
    /// <param name="options">Batching and backpressure settings.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="repairGuard">The source's repair guard (<see cref="RepairGuard.LoadAsync"/>); empty when null.</param>
    public CapturePipeline(IChangeSource source, ExportLog log, CaptureOptions options, TimeProvider? timeProvider = null, RepairGuard? repairGuard = null)
    {
        Gate = new CommitGate(new DeadLetterStore(log.Store, log.SourceId), options.MaxDocumentBytes, timeProvider);
        _repairs = new RepairCommitter(log, repairGuard ?? RepairGuard.Empty(), Gate, ObserveSchema);
        _schemas = new SchemaStore(log.Store, log.SourceId);
        _source = source;
        _log = log;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _rate = new CommitRateMeter(_time);
        _positionAdvancedAt = _time.GetTimestamp();
        _channel = Channel.CreateBounded<ChangeBatch>(new BoundedChannelOptions(options.ChannelCapacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Completes when both loops end; faults with the error that stopped capture (e.g. <see cref="LogFencedException"/>).</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Screens every commit (size limit, contract, unparsable documents → <c>deadletter/</c>); set its contract here.</summary>
    public CommitGate Gate { get; }

    /// <summary>(path, type) pairs seen for the first time since this pipeline started (schema drift).</summary>
    public long SchemaChanges => Interlocked.Read(ref _schemaChanges);

    /// <summary>Why schema inference is off for this run (its saved state could not be loaded), or null.</summary>
    public string? SchemaProblem { get; private set; }

    /// <summary>The log's newest durable state.</summary>
    public LogHead Head => _log.Head;

    /// <summary>Changes committed per second over the last few seconds.</summary>
    public double ChangesPerSecond => _rate.PerSecond(_log.Head.LastSeq);

    /// <summary>The newest watermark the reader saw, or null before the first look.</summary>
    public SourceWatermark? LastWatermark => Volatile.Read(ref _watermark);

    /// <summary>Seconds between the source's newest change (its watermark) and the newest committed one; 0 when caught up or unknown.</summary>
    public double LagSeconds =>
        LastWatermark?.SourceTime is { } newest && _log.Head.LastSourceTime is { } committed && newest > committed
            ? (newest - committed).TotalSeconds
            : 0;

    /// <summary>
    /// Seconds since the committed position last advanced, while the source has newer changes
    /// (lag above zero); 0 when caught up. A growing value means capture is stuck.
    /// </summary>
    public double PositionAgeSeconds => LagSeconds > 0 ? _time.GetElapsedTime(Volatile.Read(ref _positionAdvancedAt)).TotalSeconds : 0;

    /// <summary>Read batches waiting for the committer (at <see cref="CaptureOptions.ChannelCapacity"/> the reader waits).</summary>
    public int ChannelDepth => _channel.Reader.Count;

    /// <summary>
    /// Takes the notices of batches committed so far (each is returned once). The source grain
    /// polls this; a notice is never seen before the changes that came with it are durable.
    /// </summary>
    public IReadOnlyList<SourceNotice> TakeCommittedNotices()
    {
        var notices = new List<SourceNotice>();
        while (_committedNotices.TryDequeue(out var notice))
        {
            notices.Add(notice);
        }
        return notices;
    }

    /// <summary>Starts the reader and committer on the thread pool.</summary>
    public void Start()
    {
        _reader = Task.Run(() => ReadLoopAsync(_stopReading.Token, _abort.Token));
        _committer = Task.Run(() => CommitLoopAsync(_abort.Token));
        Completion = WhenBothAsync();
    }

    /// <summary>
    /// Commits everything the reader has handed over so far and returns once it is durable.
    /// Used before anchoring "latest", so an anchor never points past a committed seq.
    /// </summary>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        if (Completion.IsCompleted)
        {
            return Task.CompletedTask;
        }
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_flushLock)
        {
            _flushWaiters.Add(waiter);
            _flushRequested.TrySetResult();
        }
        // If the committer ends (stop or fault) before serving the request, release the caller too.
        return Task.WhenAny(waiter.Task, Completion).Unwrap().WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Commits repair records on the committer task, after committing what capture has read so far:
    /// see <see cref="RepairCommitter"/> for the re-check against newer captures and the guard.
    /// </summary>
    /// <exception cref="InvalidOperationException">Capture is not running.</exception>
    public Task<RepairOutcome> RepairAsync(RepairCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var done = new TaskCompletionSource<RepairOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_flushLock)
        {
            if (Completion.IsCompleted)
            {
                throw new InvalidOperationException($"Capture of source '{_log.SourceId}' is not running; repairs cannot be committed through it.");
            }
            _repairRequests.Add((command, done));
            _flushRequested.TrySetResult();
        }
        return WaitForRepairAsync(done.Task, cancellationToken);
    }

    private async Task<RepairOutcome> WaitForRepairAsync(Task<RepairOutcome> done, CancellationToken cancellationToken)
    {
        // If capture stops (or fails) before the committer takes the request, the caller must not wait forever.
        await Task.WhenAny(done, Completion).WaitAsync(cancellationToken).ConfigureAwait(false);
        return done.IsCompleted
            ? await done.ConfigureAwait(false)
            : throw new InvalidOperationException($"Capture of source '{_log.SourceId}' stopped before the repair was committed; nothing of it was written. Run the reconciliation again.");
    }

    /// <summary>Stops reading, commits what was read, and waits for both loops (clean shutdown).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopReading.CancelAsync().ConfigureAwait(false);
        try
        {
            await Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Out of time: abandon what is not committed; it is re-read from the committed position.
            await _abort.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops at once and commits nothing more: what was read but not committed is dropped, and the
    /// next writer re-reads it from the committed position. For an activation that lost a
    /// duplicate-activation race: a commit from it now would fence the activation that survives.
    /// A commit already being written when this is called may still land; nothing starts after.
    /// </summary>
    public async Task AbandonAsync()
    {
        _abandoned = true;
        await _stopReading.CancelAsync().ConfigureAwait(false);
        await _abort.CancelAsync().ConfigureAwait(false);
        try
        {
            await Completion.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Abandoned on purpose: how the loops ended (cancelled, or a failure) no longer matters.
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _abort.CancelAsync().ConfigureAwait(false);
        try
        {
            await Completion.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The owner observed (or chose to ignore) the failure through Completion already.
        }
        _stopReading.Dispose();
        _abort.Dispose();
    }

    private async Task WhenBothAsync()
    {
        try
        {
            await _reader.ConfigureAwait(false);
        }
        finally
        {
            // Whatever ended the reader, the committer drains and stops (it sees the channel complete).
            await _committer.ConfigureAwait(false);
        }
    }

    private async Task ReadLoopAsync(CancellationToken stop, CancellationToken abort)
    {
        Exception? failure = null;
        try
        {
            var position = _log.Head.Position;
            var lastWatermarkLook = long.MinValue;
            while (!stop.IsCancellationRequested)
            {
                var readStarted = _time.GetTimestamp();
                ChangeBatch batch;
                using (var span = SnapshotServiceTelemetry.StartActivity("capture.read", _log.SourceId))
                {
                    batch = await _source.ReadChangesAsync(position, _options.ReadBatchSize, stop).ConfigureAwait(false);
                    span?.SetTag("snapshotservice.changes", batch.Changes.Count);
                }
                CaptureMetrics.RecordStage(_log.SourceId, CaptureMetrics.Stages.Read, _time.GetElapsedTime(readStarted));
                position = batch.PositionAfter;
                if (batch.IsEmpty && _time.GetElapsedTime(readStarted) < IdleBackoff)
                {
                    // Adapters are meant to wait for news themselves; one that answers "nothing" at
                    // once would otherwise turn this loop into a busy spin.
                    await Task.Delay(IdleBackoff, _time, stop).ConfigureAwait(false);
                }
                if (!batch.IsEmpty || batch.PositionAfter != _log.Head.Position || batch.Notices.Count > 0)
                {
                    await _channel.Writer.WriteAsync(batch, abort).ConfigureAwait(false);
                }
                var now = _time.GetTimestamp();
                if (batch.IsEmpty || _time.GetElapsedTime(lastWatermarkLook, now) > TimeSpan.FromSeconds(1))
                {
                    // The watermark feeds lag; looking once a second keeps its cost out of the hot path.
                    Volatile.Write(ref _watermark, await _source.GetWatermarkAsync(stop).ConfigureAwait(false));
                    lastWatermarkLook = now;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested || abort.IsCancellationRequested)
        {
            // Stop requested: what was read is committed by the committer's final drain.
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            _channel.Writer.TryComplete(failure);
        }
    }

    private async Task CommitLoopAsync(CancellationToken abort)
    {
        try
        {
            await CommitUntilDrainedAsync(abort).ConfigureAwait(false);
        }
        catch
        {
            // Without a committer the reader would block on the full channel forever: stop it too.
            await _abort.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task CommitUntilDrainedAsync(CancellationToken abort)
    {
        await LoadSchemaAsync(abort).ConfigureAwait(false);
        var pending = new PendingCommit(_log.Head.Position);
        var reader = _channel.Reader;
        while (true)
        {
            while (reader.TryRead(out var batch))
            {
                pending.Add(batch, _time.GetTimestamp());
                if (pending.Changes.Count >= _options.MaxCommitChanges || pending.Bytes >= _options.MaxCommitBytes)
                {
                    await CommitAsync(pending, abort).ConfigureAwait(false);
                }
            }

            var (flushWaiters, repairs) = TakeRequests();
            if (flushWaiters.Count > 0 || repairs.Count > 0 || IsDue(pending))
            {
                await CommitAsync(pending, abort).ConfigureAwait(false);
            }
            foreach (var waiter in flushWaiters)
            {
                waiter.TrySetResult();
            }
            await CommitRepairsAsync(repairs, abort).ConfigureAwait(false);

            if (reader.Completion.IsCompleted)
            {
                await CommitAsync(pending, abort).ConfigureAwait(false);
                var (lastWaiters, lastRepairs) = TakeRequests();
                foreach (var waiter in lastWaiters)
                {
                    waiter.TrySetResult();
                }
                await CommitRepairsAsync(lastRepairs, abort).ConfigureAwait(false);
                await SaveSchemaAsync(force: true, abort).ConfigureAwait(false);
                await reader.Completion.ConfigureAwait(false); // rethrows the reader's failure, if any
                return;
            }

            await WaitForWorkAsync(pending, abort).ConfigureAwait(false);
        }
    }

    // Checked before every commit: cancellation alone is not enough, because a store call that
    // ignores an already-cancelled token would still write.
    private void ThrowIfAbandoned(CancellationToken abort)
    {
        if (_abandoned)
        {
            throw new OperationCanceledException($"Capture of source '{_log.SourceId}' was abandoned; nothing more is committed.", abort);
        }
    }

    private bool IsDue(PendingCommit pending) =>
        pending.HasWork && _time.GetElapsedTime(pending.FirstAddedAt) >= DelayFor(pending);

    // A batch-less position move (an idle MongoDB stream's fresh resume token) is worth saving, but
    // not four times a second: that would fill the log with empty commits.
    private TimeSpan DelayFor(PendingCommit pending) =>
        pending.Changes.Count > 0 || pending.Notices.Count > 0 ? _options.MaxCommitDelay : _options.PositionOnlyCommitInterval;

    private async Task WaitForWorkAsync(PendingCommit pending, CancellationToken abort)
    {
        Task flush;
        lock (_flushLock)
        {
            flush = _flushRequested.Task;
        }
        var dataReady = _channel.Reader.WaitToReadAsync(abort).AsTask();
        if (!pending.HasWork)
        {
            await Task.WhenAny(dataReady, flush).ConfigureAwait(false);
            return;
        }
        var remaining = DelayFor(pending) - _time.GetElapsedTime(pending.FirstAddedAt);
        if (remaining <= TimeSpan.Zero)
        {
            return;
        }
        using var timeout = new CancellationTokenSource(remaining, _time);
        var timer = Task.Delay(Timeout.Infinite, timeout.Token);
        await Task.WhenAny(dataReady, flush, timer).ConfigureAwait(false);
    }

    private async Task CommitAsync(PendingCommit pending, CancellationToken abort)
    {
        if (!pending.HasWork)
        {
            return;
        }
        ThrowIfAbandoned(abort);
        if (pending.HasData)
        {
            // A late change older than a repair of its key is dropped here (invariant 6).
            var before = _log.Head.Position;
            var gated = await Gate.AppendAsync(_log, _repairs.Guard.Filter(pending.Changes), pending.Position, abort).ConfigureAwait(false);
            _rate.Record(_log.Head.LastSeq);
            if (gated.Commit is { } commit)
            {
                ObserveSchema(commit, gated.Written);
            }
            await SaveSchemaAsync(force: false, abort).ConfigureAwait(false);
            if (_log.Head.Position != before)
            {
                Volatile.Write(ref _positionAdvancedAt, _time.GetTimestamp());
            }
        }
        // Handed over only now: a reaction (e.g. reconcile after a re-backfill) must not run ahead of the data.
        foreach (var notice in pending.Notices)
        {
            _committedNotices.Enqueue(notice);
        }
        pending.Clear();
    }

    private async Task LoadSchemaAsync(CancellationToken abort)
    {
        try
        {
            var schema = await _schemas.ComputeAtAsync(_log.Head.LastSeq, abort).ConfigureAwait(false);
            _schema = new SchemaTracker(schema);
            _schemaSavedSeq = schema.ThroughSeq;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            // Schema inference must never stop capture; GetSchema reports the same problem to the user.
            SchemaProblem = $"Schema inference is off until the next start: {ex.Message}";
        }
    }

    // Repairs are left out (as in SchemaStore.ComputeAtAsync): the schema describes what the
    // source's stream delivered; a retried dead letter keeps its capture origin and counts.
    private void ObserveSchema(CommitRecord commit, IReadOnlyList<SourceChange> written)
    {
        if (_schema is null)
        {
            return;
        }
        var introduced = 0;
        for (var i = 0; i < written.Count; i++)
        {
            var change = written[i];
            var observed = change.Operation == ChangeOperation.Upsert && change.Origin != ChangeOrigin.Repair;
            introduced += _schema.Observe(commit.FirstSeq + i, change.Key, observed ? change.Document.Span : default);
        }
        if (introduced > 0)
        {
            Interlocked.Add(ref _schemaChanges, introduced);
            QualityMetrics.SchemaChanges.Add(introduced, SnapshotServiceTelemetry.Source(_log.SourceId));
        }
    }

    // Periodic saves run beside the committer, one at a time: a save is a durable write (an fsync
    // on disk, a round trip on blob storage) that commits need not wait for. A save still in
    // flight just postpones the next one; the final save (force) waits for it.
    private async Task SaveSchemaAsync(bool force, CancellationToken abort)
    {
        if (force)
        {
            await AwaitSchemaSaveAsync().ConfigureAwait(false);
        }
        if (_schema is null || _schema.ThroughSeq == _schemaSavedSeq || (!force && _schema.ThroughSeq - _schemaSavedSeq < _options.SchemaSaveInterval))
        {
            return;
        }
        if (!_schemaSave.IsCompleted)
        {
            return;
        }
        await AwaitSchemaSaveAsync().ConfigureAwait(false); // surfaces the previous save's failure, if any
        var schema = _schema.ToSchema();
        var save = SaveAndRememberAsync(schema, abort);
        if (force)
        {
            await save.ConfigureAwait(false);
        }
        else
        {
            _schemaSave = save;
        }
    }

    private async Task SaveAndRememberAsync(SourceSchema schema, CancellationToken abort)
    {
        await _schemas.SaveAsync(schema, abort).ConfigureAwait(false);
        _schemaSavedSeq = schema.ThroughSeq;
    }

    private async Task AwaitSchemaSaveAsync()
    {
        var save = _schemaSave;
        _schemaSave = Task.CompletedTask;
        await save.ConfigureAwait(false);
    }

    private async Task CommitRepairsAsync(List<(RepairCommand Command, TaskCompletionSource<RepairOutcome> Done)> repairs, CancellationToken abort)
    {
        for (var i = 0; i < repairs.Count; i++)
        {
            try
            {
                ThrowIfAbandoned(abort);
                repairs[i].Done.TrySetResult(await _repairs.CommitAsync(repairs[i].Command, abort).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is not LogFencedException && !abort.IsCancellationRequested)
            {
                // A bad repair request fails its caller, not capture.
                repairs[i].Done.TrySetException(ex);
            }
            catch (Exception ex)
            {
                // Fenced or aborted: this writer is done; fail every repair still waiting, then stop.
                for (var j = i; j < repairs.Count; j++)
                {
                    repairs[j].Done.TrySetException(ex);
                }
                throw;
            }
        }
    }

    private (List<TaskCompletionSource> FlushWaiters, List<(RepairCommand Command, TaskCompletionSource<RepairOutcome> Done)> Repairs) TakeRequests()
    {
        lock (_flushLock)
        {
            if (_flushWaiters.Count == 0 && _repairRequests.Count == 0)
            {
                return ([], []);
            }
            var waiters = _flushWaiters;
            var repairs = _repairRequests;
            _flushWaiters = [];
            _repairRequests = [];
            _flushRequested = NewSignal();
            return (waiters, repairs);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Changes read but not yet committed, and the position after the newest of them.</summary>
    private sealed class PendingCommit(SourcePosition committedPosition)
    {
        private SourcePosition _committedPosition = committedPosition;

        public List<SourceChange> Changes { get; } = [];

        public SourcePosition Position { get; private set; } = committedPosition;

        public long Bytes { get; private set; }

        public long FirstAddedAt { get; private set; }

        public List<SourceNotice> Notices { get; } = [];

        /// <summary>True when there is something to append to the log (changes or a new position).</summary>
        public bool HasData => Changes.Count > 0 || Position != _committedPosition;

        public bool HasWork => HasData || Notices.Count > 0;

        public void Add(ChangeBatch batch, long timestamp)
        {
            if (!HasWork)
            {
                FirstAddedAt = timestamp;
            }
            Changes.AddRange(batch.Changes);
            foreach (var change in batch.Changes)
            {
                Bytes += change.Document.Length + change.Key.Length + 64;
            }
            Position = batch.PositionAfter;
            Notices.AddRange(batch.Notices);
        }

        public void Clear()
        {
            Changes.Clear();
            Notices.Clear();
            Bytes = 0;
            _committedPosition = Position;
        }
    }
}
