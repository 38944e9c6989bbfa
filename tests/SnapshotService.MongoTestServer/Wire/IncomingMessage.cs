using MongoDB.Bson;

namespace SnapshotService.Testing.Mongo.Wire;

/// <summary>
/// A decoded request: the command document (kind-1 document sequences already folded in as arrays), its
/// database, and how to answer (OP_REPLY for a legacy OP_QUERY, OP_MSG otherwise; nothing when moreToCome).
/// </summary>
internal sealed record IncomingMessage(int RequestId, bool IsLegacyQuery, bool MoreToCome, string Database, BsonDocument Command);

internal static class OpCodes
{
    public const int Reply = 1;
    public const int Query = 2004;
    public const int Compressed = 2012;
    public const int Msg = 2013;
}
