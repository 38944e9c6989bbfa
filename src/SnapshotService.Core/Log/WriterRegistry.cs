using System.Text.Json;
using SnapshotService.Storage;

namespace SnapshotService.Log;

/// <summary>
/// Who each writer of a source's log is, and whether it has stopped for good: the evidence a
/// fenced writer needs to take over at once instead of waiting for the log to go silent.
/// </summary>
/// <remarks>
/// A writer puts <c>writers/started/{writerId}.json</c> (where it runs, e.g. its Orleans silo)
/// before its first commit, and <c>writers/retired/{writerId}.json</c> only after its capture
/// pipeline has completed, so a retired writer can never commit again: its <see cref="ExportLog"/>
/// instance is gone and writer ids are never reused. Both records are put-if-absent. A missing
/// record proves nothing (an older writer, a store outage at the wrong moment): the fenced
/// writer then falls back to waiting for silence.
/// </remarks>
public sealed class WriterRegistry(IObjectStore store, string sourceId)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Records that <paramref name="writerId"/> starts writing, on <paramref name="host"/> (e.g. an Orleans silo address).</summary>
    public async Task RegisterAsync(string writerId, string host, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var record = new StartedDto(writerId, host, now);
        await store.PutIfAbsentAsync(StoreKeys.WriterStarted(sourceId, writerId), JsonSerializer.SerializeToUtf8Bytes(record, Json), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records that <paramref name="writerId"/> has stopped for good. Call only once its pipeline
    /// has completed: from then on nothing of this writer may reach the log.
    /// </summary>
    public async Task RetireAsync(string writerId, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var record = new RetiredDto(writerId, reason, now);
        await store.PutIfAbsentAsync(StoreKeys.WriterRetired(sourceId, writerId), JsonSerializer.SerializeToUtf8Bytes(record, Json), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What the registry knows of <paramref name="writerId"/>, or null when it has no record of it.</summary>
    public async Task<WriterRecord?> ReadAsync(string writerId, CancellationToken cancellationToken)
    {
        var startedKey = StoreKeys.WriterStarted(sourceId, writerId);
        var retiredKey = StoreKeys.WriterRetired(sourceId, writerId);
        var started = Decode<StartedDto>(startedKey, await store.ReadAsync(startedKey, cancellationToken).ConfigureAwait(false));
        var retired = Decode<RetiredDto>(retiredKey, await store.ReadAsync(retiredKey, cancellationToken).ConfigureAwait(false));
        if (started is null && retired is null)
        {
            return null;
        }
        return new WriterRecord(writerId, started?.Host, started?.StartedAt, retired?.RetiredAt, retired?.Reason);
    }

    /// <summary>
    /// Deletes the records of writers retired more than <paramref name="retiredMinAge"/> ago, and
    /// of writers started more than <paramref name="startedMinAge"/> ago that never retired (a
    /// crashed process), except <paramref name="currentWriterId"/>. Returns how many records went.
    /// </summary>
    public async Task<int> CollectAsync(TimeSpan retiredMinAge, TimeSpan startedMinAge, string currentWriterId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var retiredPrefix = StoreKeys.WritersRetiredPrefix(sourceId);
        var retiredIds = new HashSet<string>(StringComparer.Ordinal);
        var doomed = new List<string>();
        await foreach (var item in store.ListAsync(retiredPrefix, cancellationToken).ConfigureAwait(false))
        {
            var writerId = NameOf(item.Key, retiredPrefix);
            retiredIds.Add(writerId);
            if (now - item.LastModified >= retiredMinAge && writerId != currentWriterId)
            {
                doomed.Add(item.Key);
                doomed.Add(StoreKeys.WriterStarted(sourceId, writerId));
            }
        }
        var startedPrefix = StoreKeys.WritersStartedPrefix(sourceId);
        await foreach (var item in store.ListAsync(startedPrefix, cancellationToken).ConfigureAwait(false))
        {
            var writerId = NameOf(item.Key, startedPrefix);
            if (!retiredIds.Contains(writerId) && now - item.LastModified >= startedMinAge && writerId != currentWriterId)
            {
                doomed.Add(item.Key);
            }
        }
        var deleted = 0;
        foreach (var key in doomed)
        {
            deleted += await store.DeleteAsync(key, cancellationToken).ConfigureAwait(false) ? 1 : 0;
        }
        return deleted;
    }

    private static string NameOf(string key, string prefix) => key[prefix.Length..^".json".Length];

    private static T? Decode<T>(string key, byte[]? bytes)
        where T : class
    {
        if (bytes is null)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, Json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Writer record '{key}' is not valid JSON: {ex.Message}", ex);
        }
    }

    private sealed record StartedDto(string WriterId, string Host, DateTimeOffset StartedAt);

    private sealed record RetiredDto(string WriterId, string Reason, DateTimeOffset RetiredAt);
}

/// <summary>What a source's <see cref="WriterRegistry"/> knows of one log writer.</summary>
/// <param name="WriterId">The writer id, as in its commit records.</param>
/// <param name="Host">Where it ran (an Orleans silo address), or null when its start was not recorded.</param>
/// <param name="StartedAt">When it started, or null when not recorded.</param>
/// <param name="RetiredAt">When it stopped for good, or null while it may still write.</param>
/// <param name="RetiredReason">Why it stopped (e.g. the deactivation reason), or null.</param>
public sealed record WriterRecord(string WriterId, string? Host, DateTimeOffset? StartedAt, DateTimeOffset? RetiredAt, string? RetiredReason)
{
    /// <summary>True once the writer has recorded that it will never commit again.</summary>
    public bool IsRetired => RetiredAt is not null;
}
