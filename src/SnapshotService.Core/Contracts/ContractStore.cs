using System.Text.Json;
using SnapshotService.Storage;

namespace SnapshotService.Contracts;

/// <summary>
/// Keeps a source's contract in the export store (<c>control/contract.json</c>), so every silo
/// and every restart sees the same contract, and a change applies without redeploying.
/// </summary>
public sealed class ContractStore(IObjectStore store, string sourceId)
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly string _key = StoreKeys.Control(sourceId, "contract.json");

    /// <summary>Reads the contract, or null when the source has none.</summary>
    public async Task<SourceContract?> ReadAsync(CancellationToken cancellationToken)
    {
        var bytes = await store.ReadAsync(_key, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }
        var dto = JsonSerializer.Deserialize<Dto>(bytes, Options);
        if (dto?.Schema is null || !ContractPolicies.TryParse(dto.Policy, out var policy))
        {
            throw new InvalidDataException($"Contract file '{_key}' is malformed: 'schema' and 'policy' (flag | dead_letter) must be present. Set the contract again.");
        }
        return new SourceContract(dto.Schema, policy, dto.UpdatedAt);
    }

    /// <summary>Saves (replaces) the contract.</summary>
    public async Task WriteAsync(SourceContract contract, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contract);
        var dto = new Dto { Schema = contract.SchemaJson, Policy = ContractPolicies.Name(contract.Policy), UpdatedAt = contract.UpdatedAt };
        await store.PutAsync(_key, JsonSerializer.SerializeToUtf8Bytes(dto, Options), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the contract; false when there was none.</summary>
    public async Task<bool> DeleteAsync(CancellationToken cancellationToken) =>
        await store.DeleteAsync(_key, cancellationToken).ConfigureAwait(false);

    private sealed class Dto
    {
        public string? Schema { get; set; }
        public string? Policy { get; set; }
        public DateTimeOffset UpdatedAt { get; set; }
    }
}
