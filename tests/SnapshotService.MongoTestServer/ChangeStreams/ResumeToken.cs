using System.Globalization;
using MongoDB.Bson;
using SnapshotService.Testing.Mongo.Commands;

namespace SnapshotService.Testing.Mongo.ChangeStreams;

internal enum ResumeTokenKind : byte
{
    /// <summary>The token of an event at this timestamp.</summary>
    Event = 0x00,

    /// <summary>The invalidate event that follows a drop/rename at this timestamp.</summary>
    Invalidate = 0x01,

    /// <summary>A postBatchResumeToken: everything up to and including this timestamp was scanned.</summary>
    HighWaterMark = 0xff,
}

/// <summary>
/// Resume tokens as {_data: "82" + 16 hex digits of the timestamp + 2 hex digits of kind}. The hex string
/// sorts in oplog order (like a real server's keystring tokens), so a consumer may compare tokens as strings.
/// </summary>
internal readonly record struct ResumeToken(long TsValue, ResumeTokenKind Kind)
{
    private const string Prefix = "82";

    public BsonDocument ToDocument() =>
        new("_data", Prefix + ((ulong)TsValue).ToString("X16", CultureInfo.InvariantCulture) + ((byte)Kind).ToString("X2", CultureInfo.InvariantCulture));

    public static ResumeToken Parse(BsonValue value)
    {
        if (value is BsonDocument doc && doc.TryGetValue("_data", out var data) && data is BsonString s
            && s.Value.Length == 20 && s.Value.StartsWith(Prefix, StringComparison.Ordinal)
            && ulong.TryParse(s.Value.AsSpan(2, 16), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var ts)
            && byte.TryParse(s.Value.AsSpan(18, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var kind)
            && Enum.IsDefined((ResumeTokenKind)kind))
        {
            return new ResumeToken((long)ts, (ResumeTokenKind)kind);
        }
        throw new CommandError(260, "InvalidResumeToken", $"Unable to parse resume token {value.ToJson()} (not issued by this test server?)");
    }
}
