using System.Buffers.Binary;
using MongoDB.Bson;

namespace SnapshotService.Testing.Mongo.Wire;

/// <summary>Writes replies: OP_REPLY to a legacy OP_QUERY (the handshake), OP_MSG with one kind-0 section otherwise.</summary>
internal static class MessageWriter
{
    private static int _lastRequestId;

    public static async Task WriteReplyAsync(Stream stream, IncomingMessage request, BsonDocument reply, CancellationToken cancellationToken)
    {
        var document = reply.ToBson();
        byte[] message;
        if (request.IsLegacyQuery)
        {
            // responseFlags, cursorID, startingFrom, numberReturned, then the document.
            message = new byte[16 + 20 + document.Length];
            WriteHeader(message, request.RequestId, OpCodes.Reply);
            BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(16), 0);
            BinaryPrimitives.WriteInt64LittleEndian(message.AsSpan(20), 0);
            BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(28), 0);
            BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(32), 1);
            document.CopyTo(message, 36);
        }
        else
        {
            // flagBits 0, section kind 0, the document.
            message = new byte[16 + 5 + document.Length];
            WriteHeader(message, request.RequestId, OpCodes.Msg);
            BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(16), 0);
            message[20] = 0;
            document.CopyTo(message, 21);
        }
        await stream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void WriteHeader(byte[] message, int responseTo, int opCode)
    {
        BinaryPrimitives.WriteInt32LittleEndian(message, message.Length);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(4), Interlocked.Increment(ref _lastRequestId));
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(8), responseTo);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(12), opCode);
    }
}
