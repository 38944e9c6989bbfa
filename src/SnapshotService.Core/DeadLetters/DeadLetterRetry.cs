using SnapshotService.Capture;
using SnapshotService.Grains;
using SnapshotService.Sources;

namespace SnapshotService.DeadLetters;

/// <summary>
/// Re-admits dead letters after their cause was fixed (typically a corrected contract): each is
/// checked again as it would be committed now; those that pass are written through the source's
/// repair path, which skips a key captured at a newer version since it was set aside (a retry
/// never overwrites newer data, invariant 6). Written and superseded letters are deleted; the rest
/// stay with the current reason.
/// </summary>
public static class DeadLetterRetry
{
    /// <summary>Retries <paramref name="ids"/>; <paramref name="commitRepair"/> writes through the source's single commit path.</summary>
    public static async Task<IReadOnlyList<DeadLetterRetryResult>> RetryAsync(
        DeadLetterStore letters,
        CommitGate gate,
        IReadOnlyList<string> ids,
        Func<RepairCommand, Task<RepairOutcome>> commitRepair,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(letters);
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(commitRepair);
        var results = new List<DeadLetterRetryResult>(ids.Count);
        var ready = new List<DeadLetter>();
        foreach (var id in ids.Distinct(StringComparer.Ordinal))
        {
            var letter = await letters.ReadAsync(id, cancellationToken).ConfigureAwait(false);
            if (letter is null)
            {
                results.Add(new DeadLetterRetryResult(id, "", DeadLetterRetryOutcome.NotFound, "No dead letter has this id (already retried or discarded?)."));
                continue;
            }
            var change = new SourceChange(letter.Key, letter.PartitionKey, ChangeOperation.Upsert, letter.SourceVersion, letter.SourceTime, letter.Payload, letter.Origin);
            if (gate.Check(change) is { } problem)
            {
                results.Add(new DeadLetterRetryResult(id, letter.Key, DeadLetterRetryOutcome.StillFailing, $"{DeadLetterReasons.Name(problem.Reason)}: {problem.Detail}"));
                continue;
            }
            ready.Add(letter);
        }
        // One repair command per compared seq: the re-check looks at what was captured after it.
        foreach (var group in ready.GroupBy(l => l.LogSeq).OrderBy(g => g.Key))
        {
            var items = group.Select(l => new RepairItem(l.Key, l.PartitionKey, ChangeOperation.Upsert, l.SourceVersion, l.Payload.ToArray()) { Origin = l.Origin }).ToList();
            var outcome = await commitRepair(new RepairCommand(group.Key, items)).ConfigureAwait(false);
            var skipped = outcome.SkippedKeys.ToHashSet(StringComparer.Ordinal);
            foreach (var letter in group)
            {
                var superseded = skipped.Contains(letter.Key);
                await letters.DeleteAsync(letter.Id, cancellationToken).ConfigureAwait(false);
                results.Add(superseded
                    ? new DeadLetterRetryResult(letter.Id, letter.Key, DeadLetterRetryOutcome.Superseded, "A newer version of this key was captured after it was set aside; the dead letter was removed without writing it.")
                    : new DeadLetterRetryResult(letter.Id, letter.Key, DeadLetterRetryOutcome.Written, $"Written to the log (seq {outcome.FirstSeq}..{outcome.LastSeq})."));
            }
        }
        return results;
    }
}
