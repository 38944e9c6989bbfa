using System.Globalization;
using SnapshotService.Hashing;
using SnapshotService.Log;
using SnapshotService.Sources;

namespace SnapshotService.Reconciliation;

/// <summary>
/// Settles drift candidates before anything calls them drift. A run compares the export at a seq S
/// with the source as it is while the run reads it, later than S: every key the source changed in
/// between differs, and on a busy source that is hundreds of keys per run, all of them changes in
/// flight. A candidate is judged again once the export has caught up with the source's view of it.
/// </summary>
/// <remarks>
/// <para><b>A round.</b> Point-read the candidates at the source; wait (bounded) until the export's
/// committed position covers that read — <see cref="IReadCoverage"/>, or a cut taken after the read
/// (<see cref="IConsistentCut"/>); collect every change capture committed to the candidates since the
/// compared seq; compare each key's re-read with the export's state <i>as of the read</i> (its last
/// change at or below the version the read reflects). Equal: resolved in flight. Different, and no
/// change of the key after the read: confirmed drift — capture has passed everything the read saw
/// and the export still does not hold it.
/// Changes after the read do not matter to a key that agrees (a hot key changing every few
/// milliseconds resolves in one round). A key that differs but changed after the read gets another
/// round — a record at or below the read may carry content looked up later (MongoDB's
/// updateLookup) — as does a compared state newer than the read (a source whose point reads lag its
/// writes), up to <see cref="DriftSettleOptions.MaxRounds"/>.</para>
/// <para><b>Never drift by default.</b> A candidate that cannot be judged — capture does not pass the
/// read within <see cref="DriftSettleOptions.Timeout"/> (it is behind, paused or failed), the key
/// keeps changing, or the source cannot tell what a position covers — is unsettled, with the
/// reason, and the run is not aligned. Reads here are not rate-limited: candidates are few on a
/// healthy source, and a run with real drift re-reads only its drifted keys.</para>
/// </remarks>
public sealed class DriftSettler
{
    /// <summary>Keys point-read per call (as the reconciler's point reads).</summary>
    private const int PointReadBatch = 1_000;

    private readonly IChangeSource _source;
    private readonly ExportLogReader _log;
    private readonly long _comparedSeq;
    private readonly ContentHashOptions _hashing;
    private readonly DriftSettleOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates a settler for candidates found comparing the export at <paramref name="comparedSeq"/>.</summary>
    /// <param name="source">The source (its point reads, and <see cref="IReadCoverage"/> or <see cref="IConsistentCut"/>).</param>
    /// <param name="log">The export log (head and tail).</param>
    /// <param name="comparedSeq">The seq the candidates' export side was read at.</param>
    /// <param name="hashing">The content hashing the compare used.</param>
    /// <param name="options">Timeout, poll interval and rounds; <see cref="DriftSettleOptions.Default"/> when null.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    public DriftSettler(IChangeSource source, ExportLogReader log, long comparedSeq, ContentHashOptions hashing, DriftSettleOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(hashing);
        _source = source;
        _log = log;
        _comparedSeq = comparedSeq;
        _hashing = hashing;
        _options = options ?? DriftSettleOptions.Default;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Settles <paramref name="candidates"/> (one per key, as a compare at the compared seq found them).</summary>
    /// <exception cref="SourceReadException">A point read of the source failed.</exception>
    public async Task<SettleOutcome> SettleAsync(IReadOnlyList<DriftItem> candidates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var confirmed = new List<DriftItem>();
        var unsettled = new List<UnsettledKey>();
        long resolved = 0;
        var pending = new Dictionary<string, Candidate>(candidates.Count, StringComparer.Ordinal);
        foreach (var item in candidates)
        {
            pending.TryAdd(item.Key, new Candidate(item.RangeIndex, ExportKeyState.Of(item), item.ExportVersion, []));
        }
        var exportSeq = _comparedSeq;
        var started = _time.GetTimestamp();
        for (var round = 1; pending.Count > 0; round++)
        {
            if (round > _options.MaxRounds)
            {
                Unsettle(pending, unsettled, string.Create(CultureInfo.InvariantCulture, $"the key kept changing: the export held a change newer than each of {_options.MaxRounds} re-reads"));
                break;
            }
            var reads = await ReadAsync([.. pending.Keys], cancellationToken).ConfigureAwait(false);
            if (await CoverageOfAsync(reads, cancellationToken).ConfigureAwait(false) is not { } covers)
            {
                Unsettle(pending, unsettled, $"source kind '{_source.Describe().Kind}' cannot tell whether capture has passed a read");
                break;
            }
            var (head, passed) = await WaitUntilCoveredAsync(covers, started, cancellationToken).ConfigureAwait(false);
            if (!passed)
            {
                var age = head.LastCommitTime is { } at ? string.Create(CultureInfo.InvariantCulture, $", last commit {(_time.GetUtcNow() - at).TotalSeconds:0.#} s ago") : "";
                Unsettle(pending, unsettled, string.Create(CultureInfo.InvariantCulture,
                    $"capture had not committed past the source's re-read within {_options.Timeout.TotalSeconds:0.#} s (export head at seq {head.LastSeq}{age}): capture is behind, paused or failed"));
                break;
            }
            if (head.LastSeq > exportSeq)
            {
                var tail = await DirtyKeys.CollectChangesAsync(_log, exportSeq, head, pending.Keys.ToHashSet(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
                foreach (var (key, changes) in tail)
                {
                    pending[key].Tail.AddRange(changes);
                }
                exportSeq = head.LastSeq;
            }
            foreach (var (key, candidate) in pending.ToList())
            {
                var (document, readVersion) = reads.Find(key);
                var readReflects = Math.Max(document?.SourceVersion ?? long.MinValue, readVersion);
                if (candidate.StartVersion > readReflects)
                {
                    continue; // the compared state is newer than the re-read (a source whose reads lag its writes): read again
                }
                var source = document is null ? (SourceKeyState?)null : new SourceKeyState(key, document.PartitionKey, document.SourceVersion, ContentHasher.HashValueOrRaw(document.Document.Span, _hashing));
                if (DriftMerge.DiffKey(candidate.RangeIndex, source, candidate.AsOf(readReflects)) is not { } drift)
                {
                    resolved++;
                }
                else if (candidate.Tail.Any(c => c.LastVersion > readReflects))
                {
                    // Different, but the key changed after the read: a record at or below the read may
                    // carry content looked up later (MongoDB's updateLookup), so judge it on a later read.
                    continue;
                }
                else
                {
                    confirmed.Add(drift);
                }
                pending.Remove(key);
            }
        }
        confirmed.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return new SettleOutcome(confirmed, resolved, unsettled);
    }

    private static void Unsettle(Dictionary<string, Candidate> pending, List<UnsettledKey> unsettled, string reason)
    {
        foreach (var (key, candidate) in pending.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            unsettled.Add(new UnsettledKey(key, candidate.RangeIndex, reason));
        }
        pending.Clear();
    }

    private async Task<PointReads> ReadAsync(List<string> keys, CancellationToken cancellationToken)
    {
        var reads = new PointReads();
        foreach (var chunk in keys.Chunk(PointReadBatch))
        {
            KeyReadResult read;
            try
            {
                read = await _source.ReadKeysAsync(chunk, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw new SourceReadException($"the source's re-read of {chunk.Length} drift candidates threw {ex.GetType().Name}", ex);
            }
            reads.Add(chunk, read);
        }
        return reads;
    }

    /// <summary>What "the export has passed these reads" means for this source, or null when it cannot say.</summary>
    private async Task<Func<SourcePosition, bool>?> CoverageOfAsync(PointReads reads, CancellationToken cancellationToken)
    {
        if (_source is IReadCoverage coverage)
        {
            return position => reads.Results.All(read => coverage.Covers(position, read));
        }
        if (_source is IConsistentCut cut)
        {
            // Taken after every read: each change a read saw is behind it.
            var taken = await cut.GetCutAsync(cancellationToken).ConfigureAwait(false);
            return position => cut.HasPassed(position, taken);
        }
        return null;
    }

    private async Task<(LogHead Head, bool Passed)> WaitUntilCoveredAsync(Func<SourcePosition, bool> covers, long started, CancellationToken cancellationToken)
    {
        while (true)
        {
            var head = await _log.ReadHeadAsync(cancellationToken).ConfigureAwait(false);
            if (covers(head.Position))
            {
                return (head, true);
            }
            if (_time.GetElapsedTime(started) >= _options.Timeout)
            {
                return (head, false);
            }
            await Task.Delay(_options.PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A candidate between rounds: its range, the export's state of it at the compared seq and that
    /// state's version, and every change capture committed to it since (in seq order).
    /// </summary>
    private sealed record Candidate(int RangeIndex, ExportKeyState? Start, long? StartVersion, List<DirtyKey> Tail)
    {
        /// <summary>
        /// The export's state as of source version <paramref name="version"/>: the last change at or
        /// below it. Capture has passed the read, so every such change is in the tail; changes above
        /// it came after the read and are the next run's to judge.
        /// </summary>
        public ExportKeyState? AsOf(long version)
        {
            var state = Start;
            foreach (var change in Tail.Where(c => c.LastVersion <= version))
            {
                state = change.Entry is { } entry ? ExportKeyState.Of(entry) : null;
            }
            return state;
        }
    }

    /// <summary>The point reads of one round, by key.</summary>
    private sealed class PointReads
    {
        private readonly Dictionary<string, SourceDocument> _found = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _readVersions = new(StringComparer.Ordinal);

        public List<KeyReadResult> Results { get; } = [];

        public void Add(IReadOnlyList<string> keys, KeyReadResult read)
        {
            Results.Add(read);
            foreach (var key in keys)
            {
                _readVersions[key] = read.ReadVersion;
            }
            foreach (var document in read.Documents)
            {
                _found[document.Key] = document;
            }
        }

        /// <summary>The document read for <paramref name="key"/> (null: absent) and the version its read reflects.</summary>
        public (SourceDocument? Document, long ReadVersion) Find(string key) =>
            (_found.GetValueOrDefault(key), _readVersions[key]);
    }
}
