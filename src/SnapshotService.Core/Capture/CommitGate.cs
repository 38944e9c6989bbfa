using SnapshotService.Contracts;
using SnapshotService.DeadLetters;
using SnapshotService.Hashing;
using SnapshotService.Log;
using SnapshotService.Sources;
using SnapshotService.Telemetry;

namespace SnapshotService.Capture;

/// <summary>
/// Screens changes on their way into the export log so a poison document never stalls a source:
/// documents over the size limit, documents that are not a JSON object, and (under the
/// <c>dead_letter</c> policy) documents that break the source's contract are written to
/// <c>deadletter/</c> first, then the rest is committed with the batch's position.
/// </summary>
/// <remarks>
/// Dead letters are written before the commit that moves the position past them: a crash between
/// the two re-reads the change and writes the same dead-letter id again, so nothing is lost and
/// nothing doubles. Unparsable documents are found by the log's own encoder (which hashes every
/// document anyway), so the happy path parses each document once.
/// </remarks>
public sealed class CommitGate(DeadLetterStore deadLetters, int maxDocumentBytes, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private ContractValidator? _contract;
    private long _deadLettered;
    private long _flagged;

    /// <summary>The contract checked on every upsert, or null for none. Swapped atomically when a user sets a new one.</summary>
    public ContractValidator? Contract
    {
        get => Volatile.Read(ref _contract);
        set => Volatile.Write(ref _contract, value);
    }

    /// <summary>Changes set aside since this gate was created.</summary>
    public long DeadLetteredCount => Interlocked.Read(ref _deadLettered);

    /// <summary>Contract violations exported under the <c>flag</c> policy since this gate was created.</summary>
    public long FlaggedCount => Interlocked.Read(ref _flagged);

    /// <summary>The dead-letter folder this gate writes.</summary>
    public DeadLetterStore DeadLetters => deadLetters;

    /// <summary>
    /// Sets aside what must not be exported, then appends the rest with <paramref name="positionAfter"/>.
    /// </summary>
    /// <exception cref="LogFencedException">Another writer owns the log.</exception>
    public async Task<GatedCommit> AppendAsync(ExportLog log, IReadOnlyList<SourceChange> changes, SourcePosition positionAfter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(changes);
        var contract = Contract;
        var accepted = new List<SourceChange>(changes.Count);
        var rejected = new List<DeadLetter>();
        var flagged = 0;
        foreach (var change in changes)
        {
            var verdict = Screen(change, contract);
            if (verdict.ViolatesContract)
            {
                QualityMetrics.ContractViolations.Add(1, SnapshotServiceTelemetry.Source(log.SourceId),
                    new KeyValuePair<string, object?>(QualityMetrics.PolicyTag, ContractPolicies.Name(contract!.Contract.Policy)));
            }
            if (verdict.Reason is { } reason)
            {
                rejected.Add(Letter(log, change, positionAfter, reason, verdict.Detail!));
                continue;
            }
            if (verdict.ViolatesContract)
            {
                flagged++;
            }
            accepted.Add(change);
        }
        Interlocked.Add(ref _flagged, flagged);

        var written = 0;
        while (true)
        {
            for (; written < rejected.Count; written++)
            {
                await SetAsideAsync(log.SourceId, rejected[written], cancellationToken).ConfigureAwait(false);
            }
            try
            {
                var commit = await log.AppendAsync(accepted, positionAfter, cancellationToken).ConfigureAwait(false);
                return new GatedCommit(commit, accepted, rejected, flagged);
            }
            catch (InvalidDocumentException invalid) when (invalid.Index >= 0 && invalid.Index < accepted.Count)
            {
                // Nothing was written: set the bad document aside and commit the others.
                rejected.Add(Letter(log, accepted[invalid.Index], positionAfter, DeadLetterReason.Unparsable, invalid.Reason));
                accepted.RemoveAt(invalid.Index);
            }
        }
    }

    private async Task SetAsideAsync(string sourceId, DeadLetter letter, CancellationToken cancellationToken)
    {
        if (await deadLetters.WriteAsync(letter, cancellationToken).ConfigureAwait(false))
        {
            Interlocked.Increment(ref _deadLettered);
            QualityMetrics.DeadLetters.Add(1, SnapshotServiceTelemetry.Source(sourceId),
                new KeyValuePair<string, object?>(QualityMetrics.ReasonTag, DeadLetterReasons.Name(letter.Reason)));
        }
    }

    /// <summary>
    /// Checks one change as a retry would be committed now (size, contract, and — unlike the
    /// commit path, which leaves it to the encoder — whether it is valid JSON). Returns null when it
    /// would be exported, else the reason and what is wrong.
    /// </summary>
    public (DeadLetterReason Reason, string Detail)? Check(SourceChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.Operation == ChangeOperation.Upsert)
        {
            try
            {
                ContentHasher.HashValue(change.Document.Span, ContentHashOptions.Default);
            }
            catch (InvalidDataException e)
            {
                return (DeadLetterReason.Unparsable, e.Message);
            }
        }
        var verdict = Screen(change, Contract);
        return verdict.Reason is { } reason ? (reason, verdict.Detail!) : null;
    }

    private Verdict Screen(SourceChange change, ContractValidator? contract)
    {
        if (change.Operation != ChangeOperation.Upsert)
        {
            return default;
        }
        if (change.Document.Length > maxDocumentBytes)
        {
            return new Verdict(DeadLetterReason.TooLarge, $"The document is {change.Document.Length:N0} bytes; the limit is {maxDocumentBytes:N0} (Capture:MaxDocumentBytes).", false);
        }
        if (contract is not null && Violations(contract, change) is { Count: > 0 } errors)
        {
            var detail = "Breaks the source's contract: " + string.Join("; ", errors);
            return contract.Contract.Policy == ContractPolicy.DeadLetter
                ? new Verdict(DeadLetterReason.ContractViolation, detail, true)
                : new Verdict(null, detail, true);
        }
        return default;
    }

    private readonly record struct Verdict(DeadLetterReason? Reason, string? Detail, bool ViolatesContract);

    private static IReadOnlyList<string> Violations(ContractValidator contract, SourceChange change)
    {
        try
        {
            return contract.Validate(change.Document);
        }
        catch (Newtonsoft.Json.JsonException)
        {
            // Not JSON at all: the log's encoder finds it and it is set aside as unparsable.
            return [];
        }
    }

    private DeadLetter Letter(ExportLog log, SourceChange change, SourcePosition positionAfter, DeadLetterReason reason, string detail) =>
        new(DeadLetterStore.IdFor(change.Key, change.SourceVersion), log.SourceId, change.Key, change.PartitionKey, change.SourceVersion,
            change.SourceTime, change.Origin, reason, detail, log.Head.LastSeq, positionAfter, _time.GetUtcNow(), change.Document);
}

/// <summary>The result of <see cref="CommitGate.AppendAsync"/>.</summary>
/// <param name="Commit">The commit made, or null when there was nothing to write.</param>
/// <param name="Written">The changes that went into the log, in order (seq = first seq + index).</param>
/// <param name="DeadLettered">The changes set aside.</param>
/// <param name="Flagged">Contract violations exported under the <c>flag</c> policy.</param>
public sealed record GatedCommit(CommitRecord? Commit, IReadOnlyList<SourceChange> Written, IReadOnlyList<DeadLetter> DeadLettered, int Flagged);
