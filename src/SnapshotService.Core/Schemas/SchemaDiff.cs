namespace SnapshotService.Schemas;

/// <summary>
/// What changed in a source's documents between two points of its log (typically two snapshots):
/// compares the schema at the older point with the document versions written after it.
/// </summary>
/// <param name="FromSeq">The older point.</param>
/// <param name="ToSeq">The newer point.</param>
/// <param name="DocumentsBetween">Document versions written in (FromSeq, ToSeq].</param>
/// <param name="Added">Paths first seen after FromSeq.</param>
/// <param name="Removed">Paths seen up to FromSeq that no document written after it has (only when documents were written).</param>
/// <param name="TypeChanged">Paths seen before whose types in the newer documents differ from the types before.</param>
public sealed record SchemaDiff(long FromSeq, long ToSeq, long DocumentsBetween, IReadOnlyList<FieldChange> Added, IReadOnlyList<FieldChange> Removed, IReadOnlyList<FieldChange> TypeChanged)
{
    /// <summary>True when nothing changed.</summary>
    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0 && TypeChanged.Count == 0;

    /// <summary>Compares <paramref name="older"/> with <paramref name="newer"/> (same source, newer.ThroughSeq ≥ older.ThroughSeq).</summary>
    /// <exception cref="ArgumentException">The schemas are in the wrong order.</exception>
    public static SchemaDiff Between(SourceSchema older, SourceSchema newer)
    {
        ArgumentNullException.ThrowIfNull(older);
        ArgumentNullException.ThrowIfNull(newer);
        if (newer.ThroughSeq < older.ThroughSeq)
        {
            throw new ArgumentException($"The newer schema (through seq {newer.ThroughSeq}) is older than the other one (through seq {older.ThroughSeq}); swap them.", nameof(newer));
        }
        var between = newer.Documents - older.Documents;
        var added = new List<FieldChange>();
        var removed = new List<FieldChange>();
        var changed = new List<FieldChange>();
        foreach (var field in newer.Fields)
        {
            var before = older.Find(field.Path);
            var typesAfter = TypesWrittenAfter(field, before, older.ThroughSeq);
            var documentsAfter = field.Documents - (before?.Documents ?? 0);
            if (before is null)
            {
                if (documentsAfter > 0)
                {
                    added.Add(new FieldChange(field.Path, [], Names(typesAfter), documentsAfter, Examples(typesAfter)));
                }
                continue;
            }
            var typesBefore = before.Types.Select(t => t.Type).ToList();
            if (documentsAfter == 0)
            {
                if (between > 0)
                {
                    removed.Add(new FieldChange(field.Path, typesBefore, [], 0, before.Types.SelectMany(t => t.ExampleKeys).Take(SchemaTracker.ExampleKeysPerType).ToList()));
                }
                continue;
            }
            var newTypes = typesAfter.Where(t => !typesBefore.Contains(t.Type, StringComparer.Ordinal)).ToList();
            if (newTypes.Count > 0)
            {
                changed.Add(new FieldChange(field.Path, typesBefore, Names(typesAfter), documentsAfter, Examples(newTypes)));
            }
        }
        return new SchemaDiff(older.ThroughSeq, newer.ThroughSeq, between, added, removed, changed);
    }

    // The types of a field that occur in documents after `fromSeq`, with their counts after it.
    private static List<SchemaFieldType> TypesWrittenAfter(SchemaField field, SchemaField? before, long fromSeq) =>
        field.Types
            .Select(t => t with { Documents = t.Documents - (before?.Types.FirstOrDefault(b => b.Type == t.Type)?.Documents ?? 0) })
            .Where(t => t.Documents > 0 && t.LastSeenSeq > fromSeq)
            .ToList();

    private static List<string> Names(List<SchemaFieldType> types) => types.Select(t => t.Type).ToList();

    private static List<string> Examples(List<SchemaFieldType> types) =>
        types.SelectMany(t => t.ExampleKeys).Distinct(StringComparer.Ordinal).Take(SchemaTracker.ExampleKeysPerType).ToList();
}

/// <summary>One field's change in a <see cref="SchemaDiff"/>.</summary>
/// <param name="Path">The field path.</param>
/// <param name="TypesBefore">Its types up to the older point (empty when added).</param>
/// <param name="TypesAfter">Its types in the documents written after (empty when removed).</param>
/// <param name="Documents">Document versions written after the older point that have the path.</param>
/// <param name="ExampleKeys">Keys of documents that show the change (for removed fields: keys that had it before).</param>
public sealed record FieldChange(string Path, IReadOnlyList<string> TypesBefore, IReadOnlyList<string> TypesAfter, long Documents, IReadOnlyList<string> ExampleKeys);
