using System.Runtime.CompilerServices;
using SnapshotService.Sources;

namespace SnapshotService.Simulated;

/// <summary>
/// The deterministic simulated source: the demo source and the benchmark load generator. Its
/// history is a pure function of its options (<see cref="SimulatedHistory"/>), so the state after
/// any position is known exactly, restarts resume exactly, and snapshots can be checked exactly.
/// </summary>
/// <remarks>
/// <para><b>Emitted stream.</b> Without fault knobs a reader sees the underlying changes 1, 2, 3, …
/// and positions are <c>sim:{n}</c> (n changes read). With fault knobs the underlying history is cut
/// into windows of Faults:ReorderWindow changes (1 when unset); within each window the changes are
/// taken in a shuffled order fixed by (seed, window number); each is skipped when dropped
/// (Faults:DropPerMille) and emitted a second time right after itself when duplicated
/// (Faults:DuplicatePerMille; a dropped change is never duplicated). Positions are then
/// <c>sim:{n}</c> at window boundaries and <c>sim:{n}.{slot}</c> inside a window, where each change
/// at shuffled index j owns emission slots 2j and 2j+1. Resuming from any position this source
/// returned continues the emitted stream exactly: no change is lost or repeated relative to a
/// reader that was never interrupted.</para>
/// <para><b>True state.</b> The faults change only what is emitted. <see cref="ScanAsync"/> and
/// <see cref="SimulatedHistory.StateAfter"/> return the fault-free state, which is how
/// reconciliation tests find the drift the faults cause.</para>
/// <para><b>Rate.</b> With ChangesPerSecond &gt; 0 a reader may take the underlying changes up to
/// <c>resume point + elapsed × rate</c>, where the clock starts when this object is created and
/// the resume point is the position of the first read (so a restarted source continues at the
/// configured rate instead of stalling until its clock catches up with the old position). With
/// reordering, a window becomes readable once all of its changes are. When nothing is readable,
/// <see cref="ReadChangesAsync"/> waits up to 100 ms (honouring cancellation) and then returns what
/// became readable, possibly an empty batch with the position unchanged. MaxChanges &gt; 0 ends the
/// history; a reader at the end gets empty batches after a 100 ms wait each.</para>
/// <para>Not thread-safe for concurrent reads (one capture loop at a time, as the port says); scans
/// may run concurrently with reads and with each other.</para>
/// </remarks>
public sealed class SimulatedSource : IChangeSource, IReadCoverage
{
    /// <summary>The longest <see cref="ReadChangesAsync"/> waits when nothing is readable.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(100);

    private const int MinSlotsPerRead = 65_536;

    /// <summary>Live keys a scan copies out per lock: 4096 × 16 B stays off the large object heap.</summary>
    private const int ScanChunk = 4096;

    private readonly TimeProvider _timeProvider;
    private readonly SimulatedRateClock _clock;
    private readonly SimulatedChangeStream _stream;
    private readonly DocumentArena _arena = new();
    private readonly Lock _stateLock = new();
    private SimulatedState? _state;
    private long? _stallEndsAt;

    /// <summary>Creates the source. Throws <see cref="ArgumentException"/> for an invalid id or invalid options (listing every problem).</summary>
    /// <param name="sourceId">The source id (validated: it becomes a path segment of the export).</param>
    /// <param name="options">The settings (copied).</param>
    /// <param name="timeProvider">The clock for the rate limit; <see cref="TimeProvider.System"/> when null (ignored when <paramref name="clock"/> is given).</param>
    /// <param name="clock">The source's shared "now" (see <see cref="SimulatedRateClock"/>); a new one of its own when null.</param>
    public SimulatedSource(string sourceId, SimulatedSourceOptions options, TimeProvider? timeProvider = null, SimulatedRateClock? clock = null)
    {
        SourceId = SourceIds.Validate(sourceId);
        History = new SimulatedHistory(options, sourceId);
        _clock = clock ?? new SimulatedRateClock(timeProvider ?? TimeProvider.System);
        _timeProvider = _clock.TimeProvider;
        _stream = new SimulatedChangeStream(History);
    }

    /// <summary>The source id.</summary>
    public string SourceId { get; }

    /// <summary>The pure history behind this source (the test oracle).</summary>
    public SimulatedHistory History { get; }

    /// <inheritdoc />
    public SourceDescriptor Describe() => new(SourceId, "simulated", History.Options.Describe());

    /// <inheritdoc />
    public async ValueTask<ChangeBatch> ReadChangesAsync(SourcePosition after, int maxChanges, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxChanges);
        cancellationToken.ThrowIfCancellationRequested();
        var from = Parse(after);
        _clock.NoteFirstRead(from.Consumed);
        ThrowIfDisconnected(from.Consumed);
        if (StallRemaining(from.Consumed) is { } stall)
        {
            await Task.Delay(stall < MaxWait ? stall : MaxWait, _timeProvider, cancellationToken).ConfigureAwait(false);
            return new ChangeBatch([], after);
        }
        var batch = ReadReadable(from, maxChanges);
        if (batch is not null)
        {
            return batch;
        }
        await Task.Delay(TimeUntilReadable(from), _timeProvider, cancellationToken).ConfigureAwait(false);
        return ReadReadable(from, maxChanges) ?? new ChangeBatch([], after);
    }

    /// <summary>
    /// Streams the live documents in <paramref name="range"/> at the current watermark (see
    /// <see cref="GetWatermarkAsync"/>), in ordinal key order, from the fault-free history.
    /// </summary>
    /// <remarks>
    /// The state is computed by replaying the pure history (tens of millions of changes per second,
    /// cached and advanced between scans; replayed from the start when a scan asks for an earlier
    /// position) and costs 8 bytes per key of KeySpace; the range's live versions are copied out
    /// (12 bytes per live key) before documents are generated lazily.
    /// </remarks>
    public IAsyncEnumerable<SourceDocument> ScanAsync(KeyRange range, CancellationToken cancellationToken) =>
        ScanAtAsync(WatermarkChanges(), range, cancellationToken);

    /// <summary>
    /// Streams the live documents in <paramref name="range"/> after the first
    /// <paramref name="underlyingPosition"/> underlying changes, in ordinal key order. Any position
    /// of the history may be asked for, readable yet or not: the history is a pure function.
    /// </summary>
    public async IAsyncEnumerable<SourceDocument> ScanAtAsync(long underlyingPosition, KeyRange range, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (underlyingPosition < 0 || underlyingPosition > History.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(underlyingPosition), underlyingPosition, $"Source '{SourceId}' has positions 0..{History.Length}.");
        }
        // Copied out under the lock in small chunks: a whole range's versions in one list would be a
        // large-object-heap allocation per range, which only full collections reclaim.
        var next = 0;
        var chunk = new List<(int KeyNumber, long Version)>(ScanChunk);
        SimulatedState? own = null;
        while (true)
        {
            SimulatedState state;
            lock (_stateLock)
            {
                // Another scan may have moved the shared state past this one's position between
                // chunks; rather than replaying the history back and forth, this scan then
                // finishes on a state of its own (rare: scans at different positions at once).
                if (own is null && next > 0 && _state is { } shared && shared.Position > underlyingPosition)
                {
                    own = History.StateAfter(underlyingPosition);
                }
                state = own ?? StateAt(underlyingPosition);
                next = state.LiveVersions(range, next, ScanChunk, chunk);
            }
            foreach (var (keyNumber, version) in chunk)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return state.DocumentOf(keyNumber, version);
            }
            if (next < 0)
            {
                yield break;
            }
            // Let a long scan interleave with the capture loop instead of hogging a thread pool thread.
            await Task.Yield();
        }
    }

    /// <summary>
    /// Point-reads <paramref name="keys"/> at the current watermark from the fault-free history;
    /// the read version is the watermark's underlying position, so every change at or before it
    /// is reflected. Keys that are not keys of this source are reported absent.
    /// </summary>
    public ValueTask<KeyReadResult> ReadKeysAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ReadKeysAt(WatermarkChanges(), keys, cancellationToken));

    /// <summary>Point-reads <paramref name="keys"/> after the first <paramref name="underlyingPosition"/> underlying changes.</summary>
    public KeyReadResult ReadKeysAt(long underlyingPosition, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        cancellationToken.ThrowIfCancellationRequested();
        if (underlyingPosition < 0 || underlyingPosition > History.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(underlyingPosition), underlyingPosition, $"Source '{SourceId}' has positions 0..{History.Length}.");
        }
        var found = new List<SourceDocument>(keys.Count);
        lock (_stateLock)
        {
            var state = StateAt(underlyingPosition);
            foreach (var key in keys)
            {
                if (state.Find(key) is { } document)
                {
                    found.Add(document);
                }
            }
        }
        return new KeyReadResult(found, underlyingPosition);
    }

    /// <summary>
    /// True when <paramref name="committed"/> has consumed every underlying change the read reflects:
    /// positions count whole windows of underlying changes, so a change reordered inside a window
    /// is never passed before it is emitted (or dropped, which is the drift to find).
    /// </summary>
    public bool Covers(SourcePosition committed, KeyReadResult read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return SimulatedPosition.Parse(SourceId, committed).Consumed >= read.ReadVersion;
    }

    /// <summary>
    /// The newest position a reader could resume from now: with a rate limit, the last complete
    /// window within what the clock allows; without a rate limit, the end of a capped history, or
    /// for an unbounded one the furthest window boundary any reader of this object has reached
    /// (an infinite firehose has no other "now"). Source time is that change's, null at the start.
    /// </summary>
    public ValueTask<SourceWatermark> GetWatermarkAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var n = WatermarkChanges();
        return ValueTask.FromResult(new SourceWatermark(new SimulatedPosition(n, 0).ToSourcePosition(), n == 0 ? null : History.SourceTimeOf(n)));
    }

    /// <summary>
    /// Faults:DisconnectAfterChanges: reads fail for DisconnectSeconds, as when the network to the
    /// database is gone. The window is kept on the shared clock, so a restarted capture (a new
    /// source instance) meets the same outage, and it happens once per clock (once per host run).
    /// </summary>
    private void ThrowIfDisconnected(long consumed)
    {
        var faults = History.Options.Faults;
        if (faults.DisconnectAfterChanges <= 0 || faults.DisconnectSeconds <= 0 || consumed < faults.DisconnectAfterChanges)
        {
            return;
        }
        var startedAt = _clock.NoteDisconnect();
        var remaining = TimeSpan.FromSeconds(faults.DisconnectSeconds) - _timeProvider.GetElapsedTime(startedAt);
        if (remaining > TimeSpan.Zero)
        {
            throw new IOException($"simulated source '{SourceId}' is disconnected (Faults:DisconnectSeconds); {remaining.TotalSeconds:0.#} s to go");
        }
    }

    /// <summary>Time left of the configured stall (Faults:StallAfterChanges), or null when not stalling.</summary>
    private TimeSpan? StallRemaining(long consumed)
    {
        var faults = History.Options.Faults;
        if (_stallEndsAt is null)
        {
            if (faults.StallAfterChanges <= 0 || faults.StallSeconds <= 0 || consumed < faults.StallAfterChanges)
            {
                return null;
            }
            _stallEndsAt = _timeProvider.GetTimestamp() + (long)(faults.StallSeconds * _timeProvider.TimestampFrequency);
        }
        var remaining = _timeProvider.GetElapsedTime(_timeProvider.GetTimestamp(), _stallEndsAt.Value);
        return remaining > TimeSpan.Zero ? remaining : null;
    }

    /// <summary>Underlying changes the rate limit allows now (capped by MaxChanges; <see cref="long.MaxValue"/> when unlimited and unbounded).</summary>
    public long ReadableChanges()
    {
        var rate = History.Options.ChangesPerSecond;
        if (rate <= 0)
        {
            return History.Length;
        }
        var resumePoint = Math.Max(0, _clock.ResumePoint);
        var allowed = SimulatedRate.Of(History.Options).ChangesAfter(_clock.Elapsed.TotalSeconds);
        return allowed >= History.Length - resumePoint ? History.Length : resumePoint + (long)allowed;
    }

    /// <summary>True when <paramref name="position"/> is the end of a capped history (MaxChanges): nothing will ever follow it.</summary>
    public bool IsAtEnd(SourcePosition position) => Parse(position).Consumed >= History.Length;

    /// <summary>
    /// The number of underlying changes fully behind <paramref name="position"/>, when it sits at a
    /// window boundary (always, without faults: then it is the number of changes read). Without
    /// faults, the state at position <c>sim:{n}</c> is <c>History.StateAfter(n)</c>.
    /// </summary>
    public bool TryGetUnderlyingPosition(SourcePosition position, out long changes)
    {
        var parsed = Parse(position);
        changes = parsed.Consumed;
        return parsed.Slot == 0;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private ChangeBatch? ReadReadable(SimulatedPosition from, int maxChanges)
    {
        var changes = new List<SourceChange>(Math.Min(maxChanges, 4096));
        var maxSlots = (int)Math.Min(int.MaxValue, Math.Max(MinSlotsPerRead, 4L * maxChanges));
        var after = _stream.Read(from, maxChanges, ReadableChanges(), maxSlots, changes, _arena);
        if (changes.Count == 0 && after == from)
        {
            return null;
        }
        _clock.NoteReached(after.Consumed);
        return new ChangeBatch(changes, after.ToSourcePosition());
    }

    private TimeSpan TimeUntilReadable(SimulatedPosition from)
    {
        var rate = History.Options.ChangesPerSecond;
        if (rate <= 0 || from.Consumed >= History.Length)
        {
            return MaxWait;
        }
        var needed = from.Consumed + History.WindowSizeAt(from.Consumed) - Math.Max(0, _clock.ResumePoint);
        var seconds = SimulatedRate.Of(History.Options).SecondsUntil(needed) - _clock.Elapsed.TotalSeconds;
        return TimeSpan.FromSeconds(Math.Clamp(seconds, 0.001, MaxWait.TotalSeconds));
    }

    /// <summary>The cached state moved to <paramref name="underlyingPosition"/> (rebuilt when asked for an earlier one). Call under the state lock.</summary>
    private SimulatedState StateAt(long underlyingPosition)
    {
        if (_state is null || _state.Position > underlyingPosition)
        {
            _state = History.StateAfter(underlyingPosition);
        }
        _state.AdvanceTo(underlyingPosition);
        return _state;
    }

    private long WatermarkChanges()
    {
        var readable = History.Options.ChangesPerSecond <= 0 && History.Length == long.MaxValue ? _clock.HighWater : ReadableChanges();
        return readable >= History.Length ? History.Length : readable - (readable % History.ReorderWindow);
    }

    private SimulatedPosition Parse(SourcePosition position)
    {
        var parsed = SimulatedPosition.Parse(SourceId, position);
        var problem = _stream.Check(parsed);
        return problem is null ? parsed : throw SimulatedPosition.Refuse(SourceId, position, problem);
    }
}
