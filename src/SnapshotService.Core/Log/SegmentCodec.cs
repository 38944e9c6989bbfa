using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using SnapshotService.Hashing;
using SnapshotService.Sources;
using SnapshotService.Compression;
using ZstdSharp;

namespace SnapshotService.Log;

/// <summary>
/// Encodes a batch of changes into a segment (JSON lines, zstd) and decodes segments back into
/// <see cref="LogRecord"/>s. The one place that knows the segment line format (format v1):
/// <code>{"seq":1,"op":"upsert","key":"k","partition_key":null,"source_version":5,"content_hash":"…","origin":"capture","source_time":"2026-01-01T00:00:00.000Z","document":{…}}</code>
/// </summary>
/// <remarks>
/// Large batches are split into chunks that are hashed, serialised and compressed on all cores;
/// each chunk becomes one zstd frame and the segment is their concatenation, which every zstd
/// reader (zstd CLI, DuckDB, ZstdSharp) decodes as one stream.
/// </remarks>
public static class SegmentCodec
{
    /// <summary>Fewest changes per parallel chunk: below this, thread hand-off costs more than it saves.</summary>
    private const int MinChangesPerChunk = 256;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        SkipValidation = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // segments are files, not HTML: keep keys readable
    };

    private static readonly JsonEncodedText SeqName = JsonEncodedText.Encode("seq");
    private static readonly JsonEncodedText OpName = JsonEncodedText.Encode("op");
    private static readonly JsonEncodedText KeyName = JsonEncodedText.Encode("key");
    private static readonly JsonEncodedText PartitionKeyName = JsonEncodedText.Encode("partition_key");
    private static readonly JsonEncodedText SourceVersionName = JsonEncodedText.Encode("source_version");
    private static readonly JsonEncodedText ContentHashName = JsonEncodedText.Encode("content_hash");
    private static readonly JsonEncodedText OriginName = JsonEncodedText.Encode("origin");
    private static readonly JsonEncodedText SourceTimeName = JsonEncodedText.Encode("source_time");
    private static readonly JsonEncodedText DocumentName = JsonEncodedText.Encode("document");
    private static readonly JsonEncodedText UpsertValue = JsonEncodedText.Encode("upsert");
    private static readonly JsonEncodedText DeleteValue = JsonEncodedText.Encode("delete");
    private static readonly JsonEncodedText CaptureValue = JsonEncodedText.Encode("capture");
    private static readonly JsonEncodedText BackfillValue = JsonEncodedText.Encode("backfill");
    private static readonly JsonEncodedText RepairValue = JsonEncodedText.Encode("repair");

    [ThreadStatic]
    private static EncoderState? t_encoder;

    /// <summary>The spelling of an operation in segments.</summary>
    public static string OperationText(ChangeOperation operation) => operation == ChangeOperation.Delete ? "delete" : "upsert";

    /// <summary>The spelling of an origin in segments.</summary>
    public static string OriginText(ChangeOrigin origin) => origin switch
    {
        ChangeOrigin.Backfill => "backfill",
        ChangeOrigin.Repair => "repair",
        _ => "capture",
    };

    /// <summary>
    /// Encodes <paramref name="changes"/> with seqs <paramref name="firstSeq"/>.. into one segment.
    /// Throws <see cref="InvalidDocumentException"/> (for the lowest failing index) when an upsert's
    /// document is not valid JSON. Dispose the result to return its buffer to the pool.
    /// </summary>
    internal static EncodedSegment Encode(IReadOnlyList<SourceChange> changes, long firstSeq, ContentHashOptions hashing, int compressionLevel, string sourceId)
    {
        var count = changes.Count;
        if (count == 0)
        {
            throw new ArgumentException("A segment holds at least one change.", nameof(changes));
        }
        var chunkCount = Math.Clamp(count / MinChangesPerChunk, 1, Environment.ProcessorCount);
        var chunks = new EncodedChunk?[chunkCount];
        try
        {
            if (chunkCount == 1)
            {
                chunks[0] = EncodeChunk(changes, 0, count, firstSeq, hashing, compressionLevel, sourceId);
            }
            else
            {
                EncodeInParallel(changes, chunks, firstSeq, hashing, compressionLevel, sourceId);
            }
            return Concatenate(chunks!);
        }
        finally
        {
            foreach (var chunk in chunks)
            {
                if (chunk is not null)
                {
                    ArrayPool<byte>.Shared.Return(chunk.Compressed);
                }
            }
        }
    }

    private static void EncodeInParallel(IReadOnlyList<SourceChange> changes, EncodedChunk?[] chunks, long firstSeq, ContentHashOptions hashing, int level, string sourceId)
    {
        var count = changes.Count;
        try
        {
            Parallel.For(0, chunks.Length, i =>
            {
                var start = (int)((long)count * i / chunks.Length);
                var end = (int)((long)count * (i + 1) / chunks.Length);
                chunks[i] = EncodeChunk(changes, start, end, firstSeq, hashing, level, sourceId);
            });
        }
        catch (AggregateException e)
        {
            InvalidDocumentException? first = null;
            foreach (var inner in e.Flatten().InnerExceptions)
            {
                if (inner is InvalidDocumentException invalid && (first is null || invalid.Index < first.Index))
                {
                    first = invalid;
                }
            }
            if (first is not null)
            {
                throw first;
            }
            throw e.InnerExceptions.Count == 1 ? e.InnerExceptions[0] : e;
        }
    }

    private static EncodedChunk EncodeChunk(IReadOnlyList<SourceChange> changes, int start, int end, long firstSeq, ContentHashOptions hashing, int level, string sourceId)
    {
        var state = t_encoder ??= new EncoderState();
        var lines = state.Lines;
        lines.ResetWrittenCount();
        var writer = state.Writer;
        Span<byte> hex = stackalloc byte[ContentHasher.HexLength];
        Span<byte> time = stackalloc byte[32];
        var chunk = new EncodedChunk();
        for (var i = start; i < end; i++)
        {
            var change = changes[i];
            var sourceTime = LogTime.Normalize(change.SourceTime);
            if (i == start)
            {
                chunk.FirstSourceTime = sourceTime;
            }
            chunk.MaxSourceTime = chunk.MaxSourceTime is { } max && max >= sourceTime ? max : sourceTime;
            var isDelete = change.Operation == ChangeOperation.Delete;
            var document = change.Document.Span;
            if (!isDelete)
            {
                chunk.Upserts++;
                try
                {
                    ContentHasher.WriteHashHex(ContentHasher.HashValue(document, hashing), hex);
                }
                catch (InvalidDataException e)
                {
                    throw new InvalidDocumentException(sourceId, i, change.Key, e.Message, e);
                }
            }
            else
            {
                chunk.Deletes++;
            }

            writer.Reset(lines);
            writer.WriteStartObject();
            writer.WriteNumber(SeqName, firstSeq + i);
            writer.WriteString(OpName, isDelete ? DeleteValue : UpsertValue);
            writer.WriteString(KeyName, change.Key);
            if (change.PartitionKey is null)
            {
                writer.WriteNull(PartitionKeyName);
            }
            else
            {
                writer.WriteString(PartitionKeyName, change.PartitionKey);
            }
            writer.WriteNumber(SourceVersionName, change.SourceVersion);
            if (isDelete)
            {
                writer.WriteNull(ContentHashName);
            }
            else
            {
                writer.WriteString(ContentHashName, hex);
            }
            writer.WriteString(OriginName, change.Origin switch
            {
                ChangeOrigin.Backfill => BackfillValue,
                ChangeOrigin.Repair => RepairValue,
                _ => CaptureValue,
            });
            var timeLength = LogTime.FormatUtf8(sourceTime, time);
            writer.WriteString(SourceTimeName, time[..timeLength]);
            writer.WritePropertyName(DocumentName);
            if (isDelete)
            {
                writer.WriteNullValue();
            }
            else if (document.IndexOfAny((byte)'\n', (byte)'\r') < 0)
            {
                writer.WriteRawValue(document, skipInputValidation: true); // validated by the hash above
            }
            else
            {
                // Pretty-printed input: re-write it on one line, or it would break the JSON-lines framing.
                using var parsed = JsonDocument.Parse(change.Document);
                parsed.WriteTo(writer);
            }
            writer.WriteEndObject();
            writer.Flush();
            lines.Write("\n"u8);
        }
        chunk.UncompressedBytes = lines.WrittenCount;
        chunk.Compressed = ArrayPool<byte>.Shared.Rent(Zstd.CompressBound(lines.WrittenCount));
        // The managed compressor is kept per encoder state (a context costs ~1 MB); native needs none.
        chunk.Length = Zstd.IsNative
            ? Zstd.Compress(lines.WrittenSpan, chunk.Compressed, level)
            : state.CompressorFor(level).Wrap(lines.WrittenSpan, chunk.Compressed);
        return chunk;
    }

    private static EncodedSegment Concatenate(EncodedChunk[] chunks)
    {
        var total = 0;
        foreach (var chunk in chunks)
        {
            total += chunk.Length;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(total);
        var segment = new EncodedSegment(buffer, total) { FirstSourceTime = chunks[0].FirstSourceTime!.Value };
        var offset = 0;
        foreach (var chunk in chunks)
        {
            chunk.Compressed.AsSpan(0, chunk.Length).CopyTo(buffer.AsSpan(offset));
            offset += chunk.Length;
            segment.Upserts += chunk.Upserts;
            segment.Deletes += chunk.Deletes;
            segment.UncompressedBytes += chunk.UncompressedBytes;
            segment.MaxSourceTime = LogTime.Max(segment.MaxSourceTime, chunk.MaxSourceTime)!.Value;
        }
        segment.Checksum = ContentHasher.ChecksumHex(buffer.AsSpan(0, total));
        return segment;
    }

    /// <summary>Checks <paramref name="compressed"/> against the checksum in its commit record; throws <see cref="SegmentChecksumException"/> naming the segment on mismatch.</summary>
    public static void VerifyChecksum(string segmentName, ReadOnlySpan<byte> compressed, SegmentRef expected)
    {
        if (compressed.Length != expected.Bytes)
        {
            throw new SegmentChecksumException(segmentName, $"Segment '{segmentName}' has {compressed.Length} bytes; its commit record says {expected.Bytes}.");
        }
        var actual = ContentHasher.ChecksumHex(compressed);
        if (!string.Equals(actual, expected.Checksum, StringComparison.Ordinal))
        {
            throw new SegmentChecksumException(segmentName, $"Segment '{segmentName}' checksum mismatch: content hashes to {actual}, its commit record says {expected.Checksum}. The file was changed or damaged after it was committed.");
        }
    }

    /// <summary>Decompresses a whole segment (all its zstd frames).</summary>
    /// <exception cref="InvalidDataException">Not valid zstd, or a frame without its size.</exception>
    public static byte[] Decompress(string segmentName, ReadOnlySpan<byte> compressed) =>
        Zstd.Decompress($"Segment '{segmentName}'", compressed);

    /// <summary>Parses the JSON lines of a decompressed segment. <see cref="LogRecord.Document"/> points into <paramref name="data"/>.</summary>
    public static IEnumerable<LogRecord> ParseLines(string segmentName, byte[] data)
    {
        foreach (var line in JsonLines.Split(data))
        {
            yield return ParseLine(segmentName, line.Number, data.AsMemory(line.Offset, line.Length));
        }
    }

    /// <summary>Parses one segment line.</summary>
    public static LogRecord ParseLine(string segmentName, int lineNumber, ReadOnlyMemory<byte> line)
    {
        try
        {
            return ParseLineCore(line);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or InvalidDataException)
        {
            throw new InvalidDataException($"Segment '{segmentName}' line {lineNumber} is not a valid format-1 record: {e.Message}", e);
        }
    }

    private static LogRecord ParseLineCore(ReadOnlyMemory<byte> line)
    {
        var reader = new Utf8JsonReader(line.Span, new JsonReaderOptions { MaxDepth = 256 });
        var header = new RecordHeader();
        string? contentHash = null;
        DateTimeOffset? sourceTime = null;
        var document = ReadOnlyMemory<byte>.Empty;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new InvalidDataException("expected a JSON object");
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (RecordHeaderFields.TryRead(ref reader, ref header))
            {
                continue;
            }
            if (reader.ValueTextEquals("content_hash"u8))
            {
                reader.Read();
                contentHash = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
            }
            else if (reader.ValueTextEquals("source_time"u8))
            {
                reader.Read();
                sourceTime = reader.GetDateTimeOffset();
            }
            else if (reader.ValueTextEquals("document"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Null)
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    document = line[start..(int)reader.BytesConsumed];
                }
            }
            else
            {
                reader.Read();
                reader.Skip(); // fields added by later minor versions
            }
        }
        if (header.Seq is not { } seq || header.Operation is not { } op || header.Key is not { } key || sourceTime is null)
        {
            throw new InvalidDataException("seq, op, key and source_time are required");
        }
        return new LogRecord(seq, op, key, header.PartitionKey, header.SourceVersion, contentHash, header.Origin, sourceTime.Value, document);
    }

    /// <summary>Per-thread buffers: the JSON-lines buffer, its writer and a zstd compressor.</summary>
    private sealed class EncoderState
    {
        private Compressor? _compressor;
        private int _level;

        public EncoderState()
        {
            Lines = new ArrayBufferWriter<byte>(256 * 1024);
            Writer = new Utf8JsonWriter(Lines, WriterOptions);
        }

        public ArrayBufferWriter<byte> Lines { get; }

        public Utf8JsonWriter Writer { get; }

        public Compressor CompressorFor(int level)
        {
            if (_compressor is null || _level != level)
            {
                _compressor?.Dispose();
                _compressor = new Compressor(level);
                _level = level;
            }
            return _compressor;
        }
    }

    private sealed class EncodedChunk
    {
        public byte[] Compressed { get; set; } = [];

        public int Length { get; set; }

        public long Upserts { get; set; }

        public long Deletes { get; set; }

        public long UncompressedBytes { get; set; }

        public DateTimeOffset? FirstSourceTime { get; set; }

        public DateTimeOffset? MaxSourceTime { get; set; }
    }
}

/// <summary>A compressed segment ready to write, in a pooled buffer.</summary>
internal sealed class EncodedSegment(byte[] buffer, int length) : IDisposable
{
    private byte[]? _buffer = buffer;

    public ReadOnlyMemory<byte> Bytes => (_buffer ?? throw new ObjectDisposedException(nameof(EncodedSegment))).AsMemory(0, length);

    public int Length => length;

    public string Checksum { get; set; } = string.Empty;

    public long Upserts { get; set; }

    public long Deletes { get; set; }

    public long UncompressedBytes { get; set; }

    public DateTimeOffset FirstSourceTime { get; set; }

    public DateTimeOffset MaxSourceTime { get; set; }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}
