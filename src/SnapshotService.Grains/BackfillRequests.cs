using SnapshotService.Errors;

namespace SnapshotService.Grains;

/// <summary>Checks a backfill request before it reaches an adapter.</summary>
internal static class BackfillRequests
{
    public static void Validate(BackfillCommand command)
    {
        if (command.Keys is not { } keys)
        {
            return;
        }
        if (keys.Count == 0)
        {
            throw SnapshotServiceException.InvalidArgument("keys", "keys is empty; leave it out to backfill the whole collection, or name at least one key.");
        }
        if (keys.Count > BackfillCommand.MaxKeys)
        {
            throw SnapshotServiceException.InvalidArgument("keys", $"keys names {keys.Count} keys; at most {BackfillCommand.MaxKeys} per request — backfill the whole collection instead.");
        }
        for (var i = 0; i < keys.Count; i++)
        {
            if (string.IsNullOrEmpty(keys[i]))
            {
                throw SnapshotServiceException.InvalidArgument("keys", $"keys[{i}] is empty; every key must be a document key.");
            }
        }
    }
}
