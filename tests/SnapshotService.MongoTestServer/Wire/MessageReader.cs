using System.Buffers.Binary;
using System.Text;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;

namespace SnapshotService.Testing.Mongo.Wire;

/// <summary>
/// Reads MongoDB wire messages: the legacy OP_QUERY the driver opens each connection with, and OP_MSG with a
/// kind-0 body and kind-1 document sequences (e.g. insert's "documents"). OP_COMPRESSED is never used because
/// the server advertises no compressors.
/// </summary>
internal static class MessageReader
{
    private const int MaxMessageSize = 48 * 1000 * 1000;

    /// <summary>Reads the next message, or null when the client closed the connection.</summary>
    public static async Task<IncomingMessage?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[16];
        if (!await ReadExactlyOrEndAsync(stream, header, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        var requestId = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4));
        var opCode = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12));
        if (length < 16 || length > MaxMessageSize)
        {
            throw new InvalidDataException($"Message length {length} is out of range.");
        }
        var body = new byte[length - 16];
        await stream.ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);
        return opCode switch
        {
            OpCodes.Query => ParseQuery(requestId, body),
            OpCodes.Msg => ParseMsg(requestId, body),
            _ => throw new InvalidDataException($"Opcode {opCode} is not supported by the test server."),
        };
    }

    private static IncomingMessage ParseQuery(int requestId, byte[] body)
    {
        var offset = 4; // flags
        var fullCollectionName = ReadCString(body, ref offset);
        offset += 8; // numberToSkip, numberToReturn
        var command = ReadDocument(body, ref offset);
        // Legacy commands may be wrapped as {$query: {...}, $readPreference: ...}.
        if (command.TryGetValue("$query", out var inner) && inner is BsonDocument innerDoc)
        {
            command = innerDoc;
        }
        var database = fullCollectionName.Split('.')[0];
        return new IncomingMessage(requestId, IsLegacyQuery: true, MoreToCome: false, database, command);
    }

    private static IncomingMessage ParseMsg(int requestId, byte[] body)
    {
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(body);
        var checksumPresent = (flags & 1) != 0;
        var moreToCome = (flags & 2) != 0;
        var end = body.Length - (checksumPresent ? 4 : 0);
        var offset = 4;
        BsonDocument? command = null;
        var sequences = new List<(string Identifier, BsonArray Documents)>();
        while (offset < end)
        {
            var kind = body[offset++];
            if (kind == 0)
            {
                command = ReadDocument(body, ref offset);
            }
            else if (kind == 1)
            {
                var sectionStart = offset;
                var size = BinaryPrimitives.ReadInt32LittleEndian(body.AsSpan(offset));
                offset += 4;
                var identifier = ReadCString(body, ref offset);
                var documents = new BsonArray();
                while (offset < sectionStart + size)
                {
                    documents.Add(ReadDocument(body, ref offset));
                }
                sequences.Add((identifier, documents));
            }
            else
            {
                throw new InvalidDataException($"OP_MSG section kind {kind} is not supported.");
            }
        }
        if (command is null)
        {
            throw new InvalidDataException("OP_MSG without a body section.");
        }
        foreach (var (identifier, documents) in sequences)
        {
            command[identifier] = documents;
        }
        var database = command.GetValue("$db", "admin").AsString;
        return new IncomingMessage(requestId, IsLegacyQuery: false, moreToCome, database, command);
    }

    private static BsonDocument ReadDocument(byte[] buffer, ref int offset)
    {
        var size = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(offset));
        var bytes = buffer.AsSpan(offset, size).ToArray();
        offset += size;
        return BsonSerializer.Deserialize<BsonDocument>(bytes);
    }

    private static string ReadCString(byte[] buffer, ref int offset)
    {
        var end = Array.IndexOf(buffer, (byte)0, offset);
        var value = Encoding.UTF8.GetString(buffer, offset, end - offset);
        offset = end + 1;
        return value;
    }

    private static async Task<bool> ReadExactlyOrEndAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return read == 0 ? false : throw new EndOfStreamException("Connection closed mid-message.");
            }
            read += n;
        }
        return true;
    }
}
