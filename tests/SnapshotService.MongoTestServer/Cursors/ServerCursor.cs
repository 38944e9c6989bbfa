namespace SnapshotService.Testing.Mongo.Cursors;

/// <summary>A server-side cursor a client continues with getMore and ends with killCursors.</summary>
internal abstract class ServerCursor(long id, string database, string collection)
{
    public long Id { get; } = id;
    public string Database { get; } = database;
    public string Collection { get; } = collection;
    public string Namespace => $"{Database}.{Collection}";
}
