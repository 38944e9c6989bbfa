namespace SnapshotService.Schemas;

/// <summary>
/// The inferred schema of a source's documents as captured up to a log seq: every field path seen,
/// with the JSON types seen at it, how many document versions had it, and example keys.
/// </summary>
/// <remarks>
/// Counts are over the document versions written to the export log (captured, backfilled and
/// repaired upserts) up to <see cref="ThroughSeq"/>, not over the documents alive at that seq: a
/// field keeps its counts after the documents that had it are deleted. That keeps the schema
/// incremental (one pass per change, no re-reading of older versions); <see cref="SchemaDiff"/>
/// compares the changes written between two seqs, which is what "the schema changed" means to a
/// consumer of the change stream.
/// </remarks>
/// <param name="ThroughSeq">The last log seq observed.</param>
/// <param name="Documents">Document versions observed.</param>
/// <param name="Fields">Fields in ordinal path order.</param>
/// <param name="TruncatedFields">Field paths not tracked because the schema reached its field limit (deep or very wide documents).</param>
public sealed record SourceSchema(long ThroughSeq, long Documents, IReadOnlyList<SchemaField> Fields, long TruncatedFields = 0)
{
    /// <summary>The schema of a log with no document yet.</summary>
    public static SourceSchema Empty { get; } = new(0, 0, []);

    /// <summary>The field at <paramref name="path"/>, or null.</summary>
    public SchemaField? Find(string path)
    {
        var index = BinarySearch(path);
        return index >= 0 ? Fields[index] : null;
    }

    private int BinarySearch(string path)
    {
        int low = 0, high = Fields.Count - 1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            var order = string.CompareOrdinal(Fields[mid].Path, path);
            if (order == 0)
            {
                return mid;
            }
            if (order < 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return -1;
    }
}

/// <summary>One field path of a <see cref="SourceSchema"/>.</summary>
/// <param name="Path">Dotted path from the document root; array elements add <c>[]</c> (e.g. <c>items[].sku</c>).</param>
/// <param name="Documents">Document versions that had this path at least once.</param>
/// <param name="Types">The JSON types seen at the path, in name order.</param>
public sealed record SchemaField(string Path, long Documents, IReadOnlyList<SchemaFieldType> Types)
{
    /// <summary>Share of observed documents that had the path (0..1).</summary>
    public double PresenceRatio(long totalDocuments) => totalDocuments == 0 ? 0 : (double)Documents / totalDocuments;
}

/// <summary>One JSON type seen at a field path.</summary>
/// <param name="Type">string, integer, number, boolean, null, object or array.</param>
/// <param name="Documents">Document versions that had this type at the path.</param>
/// <param name="FirstSeenSeq">Log seq of the first document version with it.</param>
/// <param name="LastSeenSeq">Log seq of the newest document version with it.</param>
/// <param name="ExampleKeys">The first few document keys that had it.</param>
public sealed record SchemaFieldType(string Type, long Documents, long FirstSeenSeq, long LastSeenSeq, IReadOnlyList<string> ExampleKeys);
