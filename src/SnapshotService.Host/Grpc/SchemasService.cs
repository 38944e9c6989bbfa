using Grpc.Core;
using SnapshotService.Contracts;
using SnapshotService.Errors;
using SnapshotService.Grains;
using SnapshotService.Log;
using SnapshotService.Schemas;
using SnapshotService.Snapshots;
using SnapshotService.Storage;
using V1 = SnapshotService.Api.V1;

namespace SnapshotService.Host.Grpc;

/// <summary>
/// snapshotservice.v1.Schemas. Schemas are read from the export store (saved schema + log tail),
/// so they answer for paused and failed sources too; contracts are set through the source's grain
/// so the running capture picks them up at once.
/// </summary>
internal sealed class SchemasService(SourceCatalog catalog, IGrainFactory grains, IObjectStore store, SnapshotAnchorStore anchors) : V1.Schemas.SchemasBase
{
    public override async Task<V1.Schema> GetSchema(V1.GetSchemaRequest request, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        var seq = await SeqOfAsync(sourceId, request.SnapshotId, context.CancellationToken);
        var schema = await ComputeAsync(sourceId, seq, saveAsRecord: request.SnapshotId.Length > 0, context.CancellationToken);
        return schema.ToApi(sourceId, request.SnapshotId);
    }

    public override async Task<V1.SchemaDiff> DiffSchemas(V1.DiffSchemasRequest request, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        if (request.FromSnapshotId.Length == 0)
        {
            throw SnapshotServiceException.InvalidArgument("from_snapshot_id", "from_snapshot_id is required: the snapshot to compare from (list them with ListSnapshots); to_snapshot_id may be empty for 'now'.");
        }
        var fromSeq = await SeqOfAsync(sourceId, request.FromSnapshotId, context.CancellationToken);
        var toSeq = await SeqOfAsync(sourceId, request.ToSnapshotId, context.CancellationToken);
        if (toSeq < fromSeq)
        {
            throw SnapshotServiceException.InvalidArgument("to_snapshot_id", $"to_snapshot_id is at seq {toSeq}, before from_snapshot_id at seq {fromSeq}; swap them.");
        }
        var older = await ComputeAsync(sourceId, fromSeq, saveAsRecord: true, context.CancellationToken);
        var newer = await ComputeAsync(sourceId, toSeq, saveAsRecord: request.ToSnapshotId.Length > 0, context.CancellationToken);
        return SchemaDiff.Between(older, newer).ToApi(sourceId);
    }

    public override async Task<V1.Contract> GetContract(V1.GetContractRequest request, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        return (await new ContractStore(store, sourceId).ReadAsync(context.CancellationToken)).ToApi(sourceId);
    }

    public override async Task<V1.Contract> SetContract(V1.SetContractRequest request, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        if (string.IsNullOrWhiteSpace(request.JsonSchema))
        {
            throw SnapshotServiceException.InvalidArgument("json_schema", "json_schema is required (a JSON Schema object); to remove the contract call DeleteContract.");
        }
        await grains.GetGrain<ISourceGrain>(sourceId).SetContractAsync(new SetContractCommand(request.JsonSchema, request.Policy));
        return (await new ContractStore(store, sourceId).ReadAsync(context.CancellationToken)).ToApi(sourceId);
    }

    public override async Task<V1.Contract> DeleteContract(V1.DeleteContractRequest request, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        await grains.GetGrain<ISourceGrain>(sourceId).SetContractAsync(new SetContractCommand(null, ContractPolicies.Name(ContractPolicy.Flag)));
        return ((SourceContract?)null).ToApi(sourceId);
    }

    /// <summary>The seq of a snapshot's anchor, or of the newest commit when no snapshot is named.</summary>
    private async Task<long> SeqOfAsync(string sourceId, string snapshotId, CancellationToken cancellationToken) =>
        snapshotId.Length == 0
            ? (await new ExportLogReader(store, sourceId).ReadHeadAsync(cancellationToken)).LastSeq
            : (await anchors.GetAsync(sourceId, snapshotId, cancellationToken)).Seq;

    // A snapshot's schema is saved once computed: it is the record of the schema at its anchor,
    // and the next request (or diff) reads it instead of replaying the log tail again.
    private async Task<SourceSchema> ComputeAsync(string sourceId, long seq, bool saveAsRecord, CancellationToken cancellationToken)
    {
        var schemas = new SchemaStore(store, sourceId);
        var schema = await schemas.ComputeAtAsync(seq, cancellationToken);
        if (saveAsRecord)
        {
            await schemas.SaveAsync(schema, cancellationToken);
        }
        return schema;
    }
}
