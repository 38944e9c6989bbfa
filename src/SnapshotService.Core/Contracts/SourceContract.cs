namespace SnapshotService.Contracts;

/// <summary>A source's JSON Schema contract and what to do with violations.</summary>
/// <param name="SchemaJson">The JSON Schema (draft 4 to 2020-12 keywords that NJsonSchema validates); only local <c>$ref</c>s (<c>#/...</c>).</param>
/// <param name="Policy">Flag or dead-letter violating documents.</param>
/// <param name="UpdatedAt">When it was last set.</param>
public sealed record SourceContract(string SchemaJson, ContractPolicy Policy, DateTimeOffset UpdatedAt);
