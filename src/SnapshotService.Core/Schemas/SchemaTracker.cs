using System.Text.Json;

namespace SnapshotService.Schemas;

/// <summary>
/// Builds a <see cref="SourceSchema"/> incrementally from the document versions written to the
/// log, one pass over each document. Not thread-safe: the committer task owns it.
/// </summary>
public sealed class SchemaTracker
{
    /// <summary>Paths deeper than this are not followed (the parent still records type object/array).</summary>
    public const int MaxDepth = 12;

    /// <summary>At most this many distinct paths are tracked, so a document with generated field names cannot grow memory without bound.</summary>
    public const int MaxFields = 5_000;

    /// <summary>Example keys kept per field type.</summary>
    public const int ExampleKeysPerType = 3;

    /// <summary>Document shapes remembered for the fast path; documents of further shapes take the full walk.</summary>
    private const int MaxShapes = 1_024;

    private readonly Dictionary<string, FieldState> _fields = new(StringComparer.Ordinal);
    private readonly HashSet<(string Path, string Type)> _seenInDocument = [];
    private readonly HashSet<string> _pathsInDocument = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, Shape> _shapes = [];
    private long _documents;
    private long _truncated;

    /// <summary>An empty tracker (a log before its first document).</summary>
    public SchemaTracker()
    {
    }

    /// <summary>A tracker that continues from a saved schema.</summary>
    public SchemaTracker(SourceSchema saved)
    {
        ArgumentNullException.ThrowIfNull(saved);
        ThroughSeq = saved.ThroughSeq;
        _documents = saved.Documents;
        _truncated = saved.TruncatedFields;
        foreach (var field in saved.Fields)
        {
            var state = new FieldState { Documents = field.Documents };
            foreach (var type in field.Types)
            {
                state.Types[type.Type] = new TypeState { Documents = type.Documents, FirstSeenSeq = type.FirstSeenSeq, LastSeenSeq = type.LastSeenSeq, ExampleKeys = [.. type.ExampleKeys] };
            }
            _fields[field.Path] = state;
        }
    }

    /// <summary>The last seq observed.</summary>
    public long ThroughSeq { get; private set; }

    /// <summary>
    /// Observes the document written at <paramref name="seq"/>. Returns how many (path, type) pairs
    /// it introduced (0 for the first document, which sets the baseline rather than changing it).
    /// Deletes and documents that are not JSON objects only move <see cref="ThroughSeq"/>.
    /// </summary>
    public int Observe(long seq, string key, ReadOnlySpan<byte> utf8Json)
    {
        if (seq <= ThroughSeq)
        {
            return 0;
        }
        ThroughSeq = seq;
        if (utf8Json.IsEmpty)
        {
            return 0;
        }
        // The log only holds valid JSON; a bad one here is counted as nothing rather than breaking capture.
        if (!DocumentShape.TryCompute(utf8Json, MaxDepth, out var shapeId))
        {
            return 0;
        }
        _documents++;
        if (_shapes.TryGetValue(shapeId, out var known))
        {
            // Most documents look like one seen before: count them without building paths again
            // (measured on simulated 1 KB documents: 0.5 µs instead of 2.4 µs per document).
            known.Count(seq, key);
            _truncated += known.Truncated;
            return 0;
        }
        var baseline = _documents == 1;
        var (shape, introduced) = Analyse(utf8Json, seq, key);
        if (_shapes.Count < MaxShapes)
        {
            _shapes[shapeId] = shape;
        }
        return baseline ? 0 : introduced;
    }

    // The full walk: every (path, type) pair of the document, registered and counted.
    private (Shape Shape, int Introduced) Analyse(ReadOnlySpan<byte> utf8Json, long seq, string key)
    {
        _seenInDocument.Clear();
        _pathsInDocument.Clear();
        var reader = new Utf8JsonReader(utf8Json);
        reader.Read();
        WalkObject(ref reader, string.Empty, 1);
        var introduced = 0;
        var truncated = 0;
        var fields = new List<FieldState>();
        var types = new List<TypeState>();
        foreach (var (path, type) in _seenInDocument)
        {
            if (!_fields.TryGetValue(path, out var field))
            {
                if (_fields.Count >= MaxFields)
                {
                    truncated++;
                    continue;
                }
                field = new FieldState();
                _fields[path] = field;
            }
            if (_pathsInDocument.Add(path))
            {
                fields.Add(field);
            }
            if (!field.Types.TryGetValue(type, out var typeState))
            {
                typeState = new TypeState { FirstSeenSeq = seq };
                field.Types[type] = typeState;
                introduced++;
            }
            types.Add(typeState);
        }
        var shape = new Shape([.. fields], [.. types], truncated);
        shape.Count(seq, key);
        _truncated += truncated;
        return (shape, introduced);
    }

    /// <summary>The schema as observed so far.</summary>
    public SourceSchema ToSchema() => new(
        ThroughSeq,
        _documents,
        _fields.OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => new SchemaField(f.Key, f.Value.Documents, f.Value.Types
                .OrderBy(t => t.Key, StringComparer.Ordinal)
                .Select(t => new SchemaFieldType(t.Key, t.Value.Documents, t.Value.FirstSeenSeq, t.Value.LastSeenSeq, [.. t.Value.ExampleKeys]))
                .ToList()))
            .ToList(),
        _truncated);

    private void WalkObject(ref Utf8JsonReader reader, string prefix, int depth)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString() ?? string.Empty;
            var path = prefix.Length == 0 ? name : string.Concat(prefix, ".", name);
            reader.Read();
            WalkValue(ref reader, path, depth);
        }
    }

    private void WalkArray(ref Utf8JsonReader reader, string path, int depth)
    {
        var elementPath = path + "[]";
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            WalkValue(ref reader, elementPath, depth);
        }
    }

    private void WalkValue(ref Utf8JsonReader reader, string path, int depth)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                _seenInDocument.Add((path, "object"));
                if (depth < MaxDepth)
                {
                    WalkObject(ref reader, path, depth + 1);
                }
                else
                {
                    reader.Skip();
                }
                break;
            case JsonTokenType.StartArray:
                _seenInDocument.Add((path, "array"));
                if (depth < MaxDepth)
                {
                    WalkArray(ref reader, path, depth + 1);
                }
                else
                {
                    reader.Skip();
                }
                break;
            case JsonTokenType.String:
                _seenInDocument.Add((path, "string"));
                break;
            case JsonTokenType.Number:
                _seenInDocument.Add((path, IsInteger(reader.ValueSpan) ? "integer" : "number"));
                break;
            case JsonTokenType.True:
            case JsonTokenType.False:
                _seenInDocument.Add((path, "boolean"));
                break;
            default:
                _seenInDocument.Add((path, "null"));
                break;
        }
    }

    // JSON has one number type; consumers (Parquet, Spark) care whether it has a fraction or exponent.
    internal static bool IsInteger(ReadOnlySpan<byte> number) => number.IndexOfAny(".eE"u8) < 0;

    private sealed class FieldState
    {
        public long Documents { get; set; }

        public Dictionary<string, TypeState> Types { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>The fields and field types one document shape contributes to.</summary>
    private sealed class Shape(FieldState[] fields, TypeState[] types, int truncated)
    {
        public int Truncated => truncated;

        public void Count(long seq, string key)
        {
            foreach (var field in fields)
            {
                field.Documents++;
            }
            foreach (var type in types)
            {
                type.Documents++;
                type.LastSeenSeq = seq;
                if (type.ExampleKeys.Count < ExampleKeysPerType)
                {
                    type.ExampleKeys.Add(key);
                }
            }
        }
    }

    private sealed class TypeState
    {
        public long Documents { get; set; }

        public long FirstSeenSeq { get; set; }

        public long LastSeenSeq { get; set; }

        public List<string> ExampleKeys { get; set; } = [];
    }
}
