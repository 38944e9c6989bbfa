using System.Text.Json;
using SnapshotService.Hashing;

namespace SnapshotService.State;

/// <summary>
/// The fields a live key carries in every JSON-lines file that lists live keys (range files,
/// JSONL view parts): key, partition_key, seq, source_version, content_hash — written once here so
/// the two formats cannot drift apart.
/// </summary>
internal static class LiveEntryJson
{
    /// <summary>Writes the shared fields of <paramref name="entry"/> into the object being written.</summary>
    /// <param name="writer">A writer positioned inside a JSON object.</param>
    /// <param name="entry">The live key.</param>
    /// <param name="hexScratch">At least <see cref="ContentHasher.HexLength"/> bytes for the hash text.</param>
    public static void WriteKeyFields(Utf8JsonWriter writer, LiveEntry entry, Span<byte> hexScratch)
    {
        writer.WriteString("key"u8, entry.Key);
        if (entry.PartitionKey is null)
        {
            writer.WriteNull("partition_key"u8);
        }
        else
        {
            writer.WriteString("partition_key"u8, entry.PartitionKey);
        }
        writer.WriteNumber("seq"u8, entry.Seq);
        writer.WriteNumber("source_version"u8, entry.SourceVersion);
        ContentHasher.WriteHashHex(entry.ContentHash, hexScratch);
        writer.WriteString("content_hash"u8, hexScratch[..ContentHasher.HexLength]);
    }
}
