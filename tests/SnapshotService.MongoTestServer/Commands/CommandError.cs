using MongoDB.Bson;

namespace SnapshotService.Testing.Mongo.Commands;

/// <summary>A command failure answered as {ok: 0, errmsg, code, codeName, errorLabels} — the shape drivers map to their exceptions.</summary>
internal sealed class CommandError(int code, string codeName, string message, IReadOnlyList<string>? errorLabels = null)
    : Exception(message)
{
    public int Code { get; } = code;
    public string CodeName { get; } = codeName;
    public IReadOnlyList<string> ErrorLabels { get; } = errorLabels ?? [];

    public BsonDocument ToReply()
    {
        var reply = new BsonDocument
        {
            { "ok", 0.0 },
            { "errmsg", Message },
            { "code", Code },
            { "codeName", CodeName },
        };
        if (ErrorLabels.Count > 0)
        {
            reply["errorLabels"] = new BsonArray(ErrorLabels);
        }
        return reply;
    }

    public static CommandError BadValue(string message) => new(2, "BadValue", message);

    public static CommandError Unsupported(string what) =>
        new(2, "BadValue", $"{what} is not supported by the SnapshotService MongoDB test server");

    public static CommandError HistoryLost() => new(286, "ChangeStreamHistoryLost",
        "Resume of change stream was not possible, as the resume point may no longer be in the oplog.");
}
