using System.Text;
using System.Text.Json;
using NJsonSchema;

namespace SnapshotService.Contracts;

/// <summary>
/// A compiled contract: checks documents against the source's JSON Schema. Built once per
/// contract change; <see cref="Validate"/> is safe to call from several threads.
/// </summary>
/// <remarks>
/// The schema may only reference itself (<c>$ref</c> starting with <c>#</c>): a reference to a
/// file or URL would make validation depend on another machine (and NJsonSchema would fetch it),
/// so such schemas are refused when set.
/// </remarks>
public sealed class ContractValidator
{
    /// <summary>At most this many schema errors are kept per document (the first ones say enough).</summary>
    public const int MaxErrorsReported = 5;

    private readonly JsonSchema _schema;

    private ContractValidator(SourceContract contract, JsonSchema schema)
    {
        Contract = contract;
        _schema = schema;
    }

    /// <summary>The contract this validator checks.</summary>
    public SourceContract Contract { get; }

    /// <summary>Compiles <paramref name="contract"/>.</summary>
    /// <exception cref="ArgumentException">The schema is not valid JSON, not a JSON Schema object, or references anything outside itself; the message says which.</exception>
    public static async Task<ContractValidator> CompileAsync(SourceContract contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        CheckOnlyLocalReferences(contract.SchemaJson);
        try
        {
            var schema = await JsonSchema.FromJsonAsync(contract.SchemaJson).ConfigureAwait(false);
            return new ContractValidator(contract, schema);
        }
        catch (Exception e) when (e is Newtonsoft.Json.JsonException or InvalidOperationException or NotSupportedException)
        {
            throw new ArgumentException($"The contract is not a usable JSON Schema: {e.Message}", nameof(contract), e);
        }
    }

    /// <summary>Returns the document's schema errors (at most <see cref="MaxErrorsReported"/>); empty when it conforms.</summary>
    public IReadOnlyList<string> Validate(ReadOnlyMemory<byte> utf8Json)
    {
        var errors = _schema.Validate(Encoding.UTF8.GetString(utf8Json.Span));
        return errors.Count == 0
            ? []
            : errors.Take(MaxErrorsReported).Select(e => $"{(string.IsNullOrEmpty(e.Path) ? "#" : e.Path)}: {e.Kind}").ToList();
    }

    private static void CheckOnlyLocalReferences(string schemaJson)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(schemaJson);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The contract is not valid JSON: {e.Message}", nameof(schemaJson), e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException($"The contract must be a JSON Schema object, not a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}.", nameof(schemaJson));
            }
            if (FindExternalReference(document.RootElement) is { } reference)
            {
                throw new ArgumentException($"The contract references '{reference}'; only references inside the schema ('#/...') are allowed, so validation never depends on another file or host. Inline the referenced schema.", nameof(schemaJson));
            }
        }
    }

    private static string? FindExternalReference(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.NameEquals("$ref") && property.Value.ValueKind == JsonValueKind.String && !(property.Value.GetString() ?? string.Empty).StartsWith('#'))
                    {
                        return property.Value.GetString();
                    }
                    if (FindExternalReference(property.Value) is { } found)
                    {
                        return found;
                    }
                }
                return null;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (FindExternalReference(item) is { } found)
                    {
                        return found;
                    }
                }
                return null;
            default:
                return null;
        }
    }
}
