using SnapshotService.Grains;
using SnapshotService.Hashing;
using SnapshotService.Reconciliation;
using SnapshotService.Sources;

namespace SnapshotService.Repair;

/// <summary>
/// Turns the drift a reconciliation finds into repair records: collects drifted keys in batches,
/// re-reads each batch from the source by key just before writing (the scan that found the drift
/// may be seconds old), decides per key, and hands the batch to the commit path (the SourceGrain,
/// or an <see cref="Log.ExportLog"/> through <see cref="RepairCommitter"/> in tests and tools).
/// </summary>
/// <remarks>
/// Per key, against the export's state at the compared seq (carried by the drift item):
/// <list type="bullet">
/// <item>The source now holds the export's content: nothing to write (it was aligned meanwhile).</item>
/// <item>The export's version is newer than what the source holds: not written, because writing the
/// older document would regress the key (invariant 6); counted as <see cref="RepairTally.NotRepairable"/>.</item>
/// <item>The source holds other content: an upsert of the source document at the version read.</item>
/// <item>The source no longer holds the key and the export does: a delete carrying the point read's
/// version, so late captured changes older than the read are dropped by the guard.</item>
/// </list>
/// The commit path re-checks each key against captures committed after the compared seq.
/// </remarks>
public sealed class DriftRepairer(
    IChangeSource source,
    Func<RepairCommand, CancellationToken, Task<RepairOutcome>> commit,
    long comparedSeq,
    ContentHashOptions? hashing = null,
    int batchSize = DriftRepairer.DefaultBatchSize)
{
    /// <summary>Keys re-read and committed together: big enough to amortise a commit, small enough for one gRPC/Orleans message of 1 KB documents.</summary>
    public const int DefaultBatchSize = 256;

    private readonly ContentHashOptions _hashing = hashing ?? ContentHashOptions.Default;
    private readonly List<DriftItem> _pending = new(batchSize);
    private readonly List<string> _repairedKeys = [];

    /// <summary>What was written and skipped so far.</summary>
    public RepairTally Tally { get; private set; } = new(0, 0, 0, 0, null, null);

    /// <summary>Keys repair wrote, in the order written (for drift episodes).</summary>
    public IReadOnlyList<string> RepairedKeys => _repairedKeys;

    /// <summary>Adds a drifted key; commits a batch when it is full.</summary>
    public async ValueTask OnDriftAsync(DriftItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        _pending.Add(item);
        if (_pending.Count >= batchSize)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Re-reads and commits the keys still pending.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_pending.Count == 0)
        {
            return;
        }
        var batch = _pending.ToArray();
        _pending.Clear();
        KeyReadResult read;
        try
        {
            read = await source.ReadKeysAsync([.. batch.Select(i => i.Key)], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new SourceReadException($"re-reading {batch.Length} drifted keys from the source before repair failed", ex);
        }
        var current = read.Documents.ToDictionary(d => d.Key, StringComparer.Ordinal);
        var items = new List<RepairItem>(batch.Length);
        long aligned = 0, notRepairable = 0;
        foreach (var drift in batch)
        {
            switch (Decide(drift, current.GetValueOrDefault(drift.Key), read.ReadVersion))
            {
                case (Decision.Write, var item):
                    items.Add(item!);
                    break;
                case (Decision.Aligned, _):
                    aligned++;
                    break;
                default:
                    notRepairable++;
                    break;
            }
        }
        var outcome = items.Count == 0
            ? new RepairOutcome(0, 0, null, null)
            : await commit(new RepairCommand(comparedSeq, items), cancellationToken).ConfigureAwait(false);
        if (outcome.Written > 0)
        {
            var skipped = outcome.SkippedKeys.ToHashSet(StringComparer.Ordinal);
            _repairedKeys.AddRange(items.Select(i => i.Key).Where(k => !skipped.Contains(k)));
        }
        var tally = Tally;
        Tally = new RepairTally(
            tally.Repaired + outcome.Written,
            tally.SkippedAligned + aligned + outcome.SkippedNewer,
            tally.NotRepairable + notRepairable,
            tally.Batches + 1,
            tally.FirstSeq ?? outcome.FirstSeq,
            outcome.LastSeq ?? tally.LastSeq);
    }

    private (Decision, RepairItem?) Decide(DriftItem drift, SourceDocument? now, long readVersion)
    {
        if (now is null)
        {
            if (drift.ExportSeq is null)
            {
                return (Decision.Aligned, null); // absent on both sides now
            }
            if (drift.ExportVersion is { } exported && exported > readVersion)
            {
                return (Decision.NotRepairable, null);
            }
            return (Decision.Write, new RepairItem(drift.Key, drift.ExportPartitionKey, ChangeOperation.Delete, readVersion, []));
        }
        var hash = ContentHasher.HashValueOrRaw(now.Document.Span, _hashing);
        if (drift.ExportContentHash == hash)
        {
            return (Decision.Aligned, null);
        }
        if (drift.ExportVersion is { } exportVersion && exportVersion > now.SourceVersion)
        {
            return (Decision.NotRepairable, null);
        }
        return (Decision.Write, new RepairItem(now.Key, now.PartitionKey, ChangeOperation.Upsert, now.SourceVersion, now.Document.ToArray()));
    }

    private enum Decision
    {
        Write,
        Aligned,
        NotRepairable,
    }
}

/// <summary>What a <see cref="DriftRepairer"/> did.</summary>
/// <param name="Repaired">Repair records written.</param>
/// <param name="SkippedAligned">Drifted keys not written because source and export agreed by the time repair looked (capture caught up, or the source changed back).</param>
/// <param name="NotRepairable">Keys not written because the export holds a newer version than the source (writing would regress them).</param>
/// <param name="Batches">Batches re-read and committed.</param>
/// <param name="FirstSeq">Seq of the first repair record, or null.</param>
/// <param name="LastSeq">Seq of the last repair record, or null.</param>
public sealed record RepairTally(long Repaired, long SkippedAligned, long NotRepairable, long Batches, long? FirstSeq, long? LastSeq);
