using System.IO.Hashing;
using System.Text.Json;

namespace SnapshotService.Schemas;

/// <summary>
/// A 64-bit fingerprint of a document's structure — field names, nesting and value types, not the
/// values — so <see cref="SchemaTracker"/> can recognise a document shaped like one it has already
/// analysed and skip building its field paths again. Two documents with the same fingerprint have
/// the same set of (path, type) pairs (barring a 64-bit hash collision). Runs of equal scalar types
/// in an array count once, so arrays of different lengths share a fingerprint.
/// </summary>
internal static class DocumentShape
{
    private const long NameSeed = 0x5F3759DF;

    /// <summary>False when the document is not valid JSON or not an object (the tracker ignores those).</summary>
    public static bool TryCompute(ReadOnlySpan<byte> utf8Json, int maxDepth, out ulong shape)
    {
        shape = 0;
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            var hash = 0UL;
            HashObject(ref reader, ref hash, 1, maxDepth);
            shape = hash;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // Mirrors SchemaTracker's walk (same depth limit), so equal fingerprints mean equal paths.
    private static void HashObject(ref Utf8JsonReader reader, ref ulong hash, int depth, int maxDepth)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            hash = XxHash3.HashToUInt64(reader.ValueSpan, (long)hash ^ NameSeed);
            reader.Read();
            HashValue(ref reader, ref hash, depth, maxDepth);
        }
        hash = Mix(hash, (byte)'}');
    }

    private static void HashArray(ref Utf8JsonReader reader, ref ulong hash, int depth, int maxDepth)
    {
        byte previous = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var scalar = ScalarTag(ref reader);
            if (scalar != 0)
            {
                if (scalar != previous)
                {
                    hash = Mix(hash, scalar);
                    previous = scalar;
                }
                continue;
            }
            previous = 0;
            HashValue(ref reader, ref hash, depth, maxDepth);
        }
        hash = Mix(hash, (byte)']');
    }

    private static void HashValue(ref Utf8JsonReader reader, ref ulong hash, int depth, int maxDepth)
    {
        var isObject = reader.TokenType == JsonTokenType.StartObject;
        if (!isObject && reader.TokenType != JsonTokenType.StartArray)
        {
            hash = Mix(hash, ScalarTag(ref reader));
            return;
        }
        hash = Mix(hash, isObject ? (byte)'{' : (byte)'[');
        if (depth >= maxDepth)
        {
            reader.Skip();
        }
        else if (isObject)
        {
            HashObject(ref reader, ref hash, depth + 1, maxDepth);
        }
        else
        {
            HashArray(ref reader, ref hash, depth + 1, maxDepth);
        }
    }

    private static byte ScalarTag(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => (byte)'s',
        JsonTokenType.Number => SchemaTracker.IsInteger(reader.ValueSpan) ? (byte)'i' : (byte)'n',
        JsonTokenType.True or JsonTokenType.False => (byte)'b',
        JsonTokenType.Null => (byte)'z',
        _ => 0,
    };

    private static ulong Mix(ulong hash, byte tag) => XxHash3.HashToUInt64([tag], (long)hash);
}
