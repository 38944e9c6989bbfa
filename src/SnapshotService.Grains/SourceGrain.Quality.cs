using SnapshotService.Capture;
using SnapshotService.Contracts;
using SnapshotService.DeadLetters;
using Microsoft.Extensions.Logging;
using SnapshotService.Errors;
using SnapshotService.Schemas;

namespace SnapshotService.Grains;

/// <summary>Contracts, dead-letter retries and the quality events of a source.</summary>
public sealed partial class SourceGrain
{
    private long _deadLettersSeen;
    private long _flaggedSeen;
    private long _schemaChangesSeen;

    /// <inheritdoc />
    public async Task SetContractAsync(SetContractCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        RequireConfigured();
        var contracts = new ContractStore(store, _sourceId);
        if (command.SchemaJson is null)
        {
            await contracts.DeleteAsync(CancellationToken.None);
            ApplyContract(null);
            _events.Add("contract_removed", "the contract was removed; documents are no longer checked");
            return;
        }
        if (!ContractPolicies.TryParse(command.Policy, out var policy))
        {
            throw SnapshotServiceException.InvalidArgument("policy", $"policy '{command.Policy}' is not known; use 'flag' (export and count violations) or 'dead_letter' (set violating documents aside).");
        }
        ContractValidator validator;
        try
        {
            validator = await ContractValidator.CompileAsync(new SourceContract(command.SchemaJson, policy, time.GetUtcNow()));
        }
        catch (ArgumentException e)
        {
            throw SnapshotServiceException.InvalidArgument("json_schema", $"json_schema is not usable: {e.Message}");
        }
        await contracts.WriteAsync(validator.Contract, CancellationToken.None);
        ApplyContract(validator);
        _events.Add("contract_set", $"contract set with policy {ContractPolicies.Name(policy)}; it applies from the next commit");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DeadLetterRetryResult>> RetryDeadLettersAsync(IReadOnlyList<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        RequireConfigured();
        foreach (var id in ids)
        {
            if (!DeadLetterStore.IsValidId(id))
            {
                throw SnapshotServiceException.InvalidArgument("ids", $"ids contains '{id}', which is not a dead-letter id (20 digits, '-', 16 lowercase hex digits, as listed by DeadLetters.List).");
            }
        }
        ObservePipeline();
        var gate = _pipeline?.Gate ?? await NewGateAsync(CancellationToken.None);
        var results = await DeadLetterRetry.RetryAsync(gate.DeadLetters, gate, ids, RepairAsync, CancellationToken.None);
        var written = results.Count(r => r.Outcome == DeadLetterRetryOutcome.Written);
        _events.Add("deadletters_retried", $"{ids.Count} dead letters retried: {written} written, {results.Count(r => r.Outcome == DeadLetterRetryOutcome.Superseded)} superseded, {results.Count(r => r.Outcome == DeadLetterRetryOutcome.StillFailing)} still failing");
        return results;
    }

    /// <summary>
    /// Saves the schema at a new anchor's seq (saved schema + at most Capture:SchemaSaveInterval
    /// log records), off the grain and after the reply, so taking a snapshot stays O(1). If it
    /// fails, Schemas.GetSchema computes the same schema on demand.
    /// </summary>
    private void RecordSchemaAtAnchor(SnapshotAnchor anchor)
    {
        var schemas = new SchemaStore(store, _sourceId);
        _ = Task.Run(async () =>
        {
            try
            {
                await schemas.SaveAsync(await schemas.ComputeAtAsync(anchor.Seq, CancellationToken.None), CancellationToken.None);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException)
            {
                LogSchemaNotRecorded(_sourceId, anchor.Id, ex.Message);
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {SourceId}: the schema at snapshot {SnapshotId} was not saved ({Reason}); it is computed on demand instead")]
    private partial void LogSchemaNotRecorded(string sourceId, string snapshotId, string reason);

    /// <summary>A gate for repairs written while no pipeline runs (paused source), with the saved contract.</summary>
    private async Task<CommitGate> NewGateAsync(CancellationToken cancellationToken) =>
        new(new DeadLetterStore(store, _sourceId), captureOptions.Value.MaxDocumentBytes, time) { Contract = await LoadContractAsync(cancellationToken) };

    private async Task<ContractValidator?> LoadContractAsync(CancellationToken cancellationToken) =>
        await new ContractStore(store, _sourceId).ReadAsync(cancellationToken) is { } contract
            ? await ContractValidator.CompileAsync(contract)
            : null;

    private void ApplyContract(ContractValidator? validator)
    {
        if (_pipeline is { } pipeline)
        {
            pipeline.Gate.Contract = validator;
        }
    }

    /// <summary>Turns the pipeline's quality counters into source events (once per heartbeat, not per document).</summary>
    private void RecordQualityEvents()
    {
        if (_pipeline is not { } pipeline)
        {
            return;
        }
        var deadLettered = pipeline.Gate.DeadLetteredCount;
        if (deadLettered > _deadLettersSeen)
        {
            _events.Add("dead_lettered", $"{deadLettered - _deadLettersSeen} changes set aside in deadletter/ (list them with DeadLetters.List); capture moved on");
        }
        var flagged = pipeline.Gate.FlaggedCount;
        if (flagged > _flaggedSeen)
        {
            _events.Add("contract_violations", $"{flagged - _flaggedSeen} exported documents broke the contract (policy flag)");
        }
        var schemaChanges = pipeline.SchemaChanges;
        if (schemaChanges > _schemaChangesSeen)
        {
            _events.Add("schema_changed", $"{schemaChanges - _schemaChangesSeen} new field paths or types seen in captured documents (see Schemas.GetSchema)");
        }
        (_deadLettersSeen, _flaggedSeen, _schemaChangesSeen) = (deadLettered, flagged, schemaChanges);
    }
}
