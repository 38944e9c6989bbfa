using System.Globalization;
using SnapshotService.Capture;
using SnapshotService.Grains;
using SnapshotService.Log;
using SnapshotService.Sources;
using SnapshotService.Telemetry;

namespace SnapshotService.Repair;

/// <summary>
/// Writes repair records into a source's export log, on the log's single commit path (the caller
/// owns the <see cref="ExportLog"/> and must not append anything else concurrently).
/// </summary>
/// <remarks>
/// <para><b>Re-check.</b> The reconciliation compared the source with the export at
/// <see cref="RepairCommand.ComparedSeq"/>; capture kept committing meanwhile. Every key is
/// checked against the records committed after that seq: if capture wrote the key at the
/// repair's version or a newer one, the repair is skipped (a repair loses to a newer captured
/// change). The versions seen after the compared seq are cached and extended by each call, so a
/// run with many repair batches reads its log tail once, and memory is bounded by the keys
/// changed while the run lasted.</para>
/// <para><b>Guard.</b> The written keys go into the <see cref="RepairGuard"/>, saved before the
/// commit, so capture drops late changes older than the repair.</para>
/// </remarks>
public sealed class RepairCommitter(ExportLog log, RepairGuard guard, CommitGate? gate = null, Action<CommitRecord, IReadOnlyList<SourceChange>>? onCommitted = null)
{
    private readonly ExportLogReader _reader = new(log.Store, log.SourceId);
    private readonly Dictionary<string, long> _newestAfterCompared = new(StringComparer.Ordinal);
    private long _comparedSeq = -1;
    private long _scannedThrough;

    /// <summary>The guard this committer fills (the capture path filters through the same instance).</summary>
    public RepairGuard Guard => guard;

    /// <summary>Re-checks and commits <paramref name="command"/>'s items as repair records.</summary>
    /// <exception cref="ArgumentException">The compared seq is beyond the committed log, or an upsert has no document.</exception>
    /// <exception cref="LogFencedException">Another writer owns the log.</exception>
    public async Task<RepairOutcome> CommitAsync(RepairCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        using var span = SnapshotServiceTelemetry.StartActivity("reconciliation.repair", log.SourceId);
        var head = log.Head;
        if (command.ComparedSeq < 0 || command.ComparedSeq > head.LastSeq)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Source '{log.SourceId}': repairs compared at seq {command.ComparedSeq} cannot be written; the log is committed up to seq {head.LastSeq}."), nameof(command));
        }
        await CatchUpAsync(command.ComparedSeq, head.LastSeq, cancellationToken).ConfigureAwait(false);

        var sourceTime = head.LastSourceTime ?? DateTimeOffset.UtcNow;
        var changes = new List<SourceChange>(command.Items.Count);
        var skipped = new List<string>();
        foreach (var item in command.Items)
        {
            if (item.Operation == ChangeOperation.Upsert && item.Document.Length == 0)
            {
                throw new ArgumentException($"Source '{log.SourceId}': the repair of key '{item.Key}' is an upsert without a document.", nameof(command));
            }
            if (_newestAfterCompared.TryGetValue(item.Key, out var captured) && captured >= item.SourceVersion)
            {
                skipped.Add(item.Key);
                continue;
            }
            changes.Add(new SourceChange(item.Key, item.PartitionKey, item.Operation, item.SourceVersion, sourceTime, item.Document, item.Origin));
        }
        if (changes.Count == 0)
        {
            return new RepairOutcome(0, skipped.Count, null, null) { SkippedKeys = skipped };
        }
        guard.Add(changes);
        await guard.SaveAsync(log.Store, log.SourceId, cancellationToken).ConfigureAwait(false);
        CommitRecord? commit;
        if (gate is null)
        {
            commit = await log.AppendAsync(changes, head.Position, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // A repair brings the source's current document; if that one is poison it is set aside like a captured one.
            var gated = await gate.AppendAsync(log, changes, head.Position, cancellationToken).ConfigureAwait(false);
            commit = gated.Commit;
            changes = [.. gated.Written];
            skipped.AddRange(gated.DeadLettered.Select(d => d.Key));
        }
        if (commit is not null)
        {
            onCommitted?.Invoke(commit, changes);
        }
        // Our own records are not "newer captures" for later batches of the same run.
        _scannedThrough = log.Head.LastSeq;
        foreach (var change in changes)
        {
            _newestAfterCompared[change.Key] = Math.Max(change.SourceVersion, _newestAfterCompared.GetValueOrDefault(change.Key, long.MinValue));
        }
        return new RepairOutcome(changes.Count, skipped.Count, commit?.FirstSeq, commit?.LastSeq) { SkippedKeys = skipped };
    }

    /// <summary>Extends the cache of versions committed after <paramref name="comparedSeq"/> up to <paramref name="headSeq"/>.</summary>
    private async Task CatchUpAsync(long comparedSeq, long headSeq, CancellationToken cancellationToken)
    {
        if (comparedSeq != _comparedSeq)
        {
            _newestAfterCompared.Clear();
            _comparedSeq = comparedSeq;
            _scannedThrough = comparedSeq;
        }
        if (_scannedThrough >= headSeq)
        {
            return;
        }
        await foreach (var record in _reader.ReadRecordsAsync(_scannedThrough + 1, headSeq, cancellationToken).ConfigureAwait(false))
        {
            if (!_newestAfterCompared.TryGetValue(record.Key, out var known) || known < record.SourceVersion)
            {
                _newestAfterCompared[record.Key] = record.SourceVersion;
            }
        }
        _scannedThrough = headSeq;
    }
}
