using System.Buffers;
using System.Text;
using Parquet;
using Parquet.Schema;
using SnapshotService.Hashing;

namespace SnapshotService.Views;

/// <summary>
/// Encodes a part as one Parquet file with one row group (Snappy pages). Columns: key,
/// partition_key (nullable), seq, source_version, content_hash (32 hex digits), document (JSON text).
/// </summary>
internal static class ParquetPartEncoder
{
    private static readonly DataField<string> Key = new("key", nullable: false);
    private static readonly DataField<string> PartitionKey = new("partition_key", nullable: true);
    private static readonly DataField<long> Seq = new("seq", nullable: false);
    private static readonly DataField<long> SourceVersion = new("source_version", nullable: false);
    private static readonly DataField<string> ContentHash = new("content_hash", nullable: false);
    private static readonly DataField<string> Document = new("document", nullable: false);
    private static readonly ParquetSchema Schema = new(Key, PartitionKey, Seq, SourceVersion, ContentHash, Document);

    public static async Task<byte[]> EncodeAsync(PartRows part, CancellationToken cancellationToken)
    {
        var count = part.Rows.Length;
        var keys = new string[count];
        var partitionKeys = new string?[count];
        var seqs = new long[count];
        var versions = new long[count];
        var hashes = new string[count];
        // Parquet.Net takes text as UTF-16: decode every document into one pooled buffer and hand
        // over slices, instead of a string per row (a part's documents are ~20 MB of garbage otherwise).
        var documentChars = ArrayPool<char>.Shared.Rent(checked((int)Math.Max(1, part.DocumentBytes)));
        var documents = new ReadOnlyMemory<char>[count];
        var used = 0;
        for (var i = 0; i < count; i++)
        {
            var entry = part.Rows[i].Entry;
            keys[i] = entry.Key;
            partitionKeys[i] = entry.PartitionKey;
            seqs[i] = entry.Seq;
            versions[i] = entry.SourceVersion;
            hashes[i] = ContentHasher.ToHex(entry.ContentHash);
            var chars = Encoding.UTF8.GetChars(part.Rows[i].Document.Span, documentChars.AsSpan(used));
            documents[i] = documentChars.AsMemory(used, chars);
            used += chars;
        }
        try
        {
            return await WriteAsync(keys, partitionKeys, seqs, versions, hashes, documents, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(documentChars);
        }
    }

    private static async Task<byte[]> WriteAsync(string[] keys, string?[] partitionKeys, long[] seqs, long[] versions, string[] hashes, ReadOnlyMemory<char>[] documents, CancellationToken cancellationToken)
    {
        using var output = new MemoryStream();
        var options = new ParquetOptions { CompressionMethod = CompressionMethod.Snappy };
        var writer = await ParquetWriter.CreateAsync(Schema, output, options, append: false, cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(Key, keys).ConfigureAwait(false);
            await group.WriteAsync(PartitionKey, partitionKeys!).ConfigureAwait(false);
            await group.WriteAsync(Seq, (ReadOnlyMemory<long>)seqs, cancellationToken: cancellationToken).ConfigureAwait(false);
            await group.WriteAsync(SourceVersion, (ReadOnlyMemory<long>)versions, cancellationToken: cancellationToken).ConfigureAwait(false);
            await group.WriteAsync(ContentHash, hashes).ConfigureAwait(false);
            await group.WriteAsync(Document, (ReadOnlyMemory<ReadOnlyMemory<char>>)documents, cancellationToken: cancellationToken).ConfigureAwait(false);
            group.CompleteValidate();
        }
        return output.ToArray();
    }
}
