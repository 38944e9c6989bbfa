using System.Text.Json;
using SnapshotService.Simulated;
using SnapshotService.Sources;

namespace SnapshotService.Core.Tests.Simulated;

/// <summary>Small histories and readers shared by the simulated-source tests.</summary>
internal static class SimulatedTestData
{
    public static SimulatedSourceOptions Options(long seed = 7, int keySpace = 100, int documentBytes = 128, long maxChanges = 1_000,
        int deletePercent = 20, int drop = 0, int duplicate = 0, int reorder = 0, double rate = 0) => new()
    {
        Seed = seed,
        KeySpace = keySpace,
        DocumentBytes = documentBytes,
        MaxChanges = maxChanges,
        DeletePercent = deletePercent,
        ChangesPerSecond = rate,
        Faults = new SimulatedFaultOptions { DropPerMille = drop, DuplicatePerMille = duplicate, ReorderWindow = reorder },
    };

    /// <summary>Reads a capped, unlimited-rate source to its end with the given batch sizes (cycled).</summary>
    public static async Task<(List<SourceChange> Changes, List<SourcePosition> Positions)> ReadToEndAsync(
        SimulatedSource source, SourcePosition from, params int[] batchSizes)
    {
        var changes = new List<SourceChange>();
        var positions = new List<SourcePosition>();
        var position = from;
        for (var i = 0; !source.IsAtEnd(position); i++)
        {
            var batch = await source.ReadChangesAsync(position, batchSizes[i % batchSizes.Length], CancellationToken.None);
            changes.AddRange(batch.Changes);
            position = batch.PositionAfter;
            positions.Add(position);
        }
        return (changes, positions);
    }

    /// <summary>A comparable rendering of a change, document included.</summary>
    public static string Show(SourceChange c) =>
        $"{c.Key}|{c.PartitionKey}|{c.Operation}|{c.SourceVersion}|{c.SourceTime:O}|{c.Origin}|{Convert.ToHexString(c.Document.Span)}";

    /// <summary>A comparable rendering of a scanned document.</summary>
    public static string Show(SourceDocument d) => $"{d.Key}|{d.PartitionKey}|{d.SourceVersion}|{Convert.ToHexString(d.Document.Span)}";

    /// <summary>
    /// Re-serialises JSON with object keys in ordinal order and no whitespace, independently of the
    /// engine's canonicaliser, so a document equal to its output is in canonical form.
    /// </summary>
    public static byte[] Canonical(ReadOnlyMemory<byte> json)
    {
        using var document = JsonDocument.Parse(json);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(writer, document.RootElement);
        }
        return buffer.ToArray();
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(writer, item);
                }
                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
