using System.Text.Json;
using SnapshotService.Sources;
using SnapshotService.Storage;

namespace SnapshotService.Repair;

/// <summary>
/// The keys repair wrote ahead of capture, with the source version each repair carried: capture
/// (or backfill) changes of such a key at that version or older are dropped before they are
/// committed, so a late or replayed event never overwrites a newer repair (invariant 6). An entry
/// ends when capture delivers the key at the repaired version or newer: from then on capture is
/// ahead again. Not thread-safe: the single commit path owns it.
/// </summary>
/// <remarks>
/// Persisted as <c>control/repair-guard.json</c> <em>before</em> the repair commit it covers, so a
/// crash can never leave a committed repair unguarded. A crash before the commit leaves an entry
/// for a repair that never landed; it only drops capture changes older than a version the source
/// had already reached when repair read it, which the source state supersedes anyway. Entries that
/// end are not rewritten at once: a stale entry after a restart is harmless because capture
/// resumes after the change that ended it, and only newer versions follow.
/// </remarks>
public sealed class RepairGuard
{
    private const int FormatVersion = 1;
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly Dictionary<string, long> _versions;

    private RepairGuard(Dictionary<string, long> versions) => _versions = versions;

    /// <summary>An empty guard (a source that was never repaired).</summary>
    public static RepairGuard Empty() => new(new Dictionary<string, long>(StringComparer.Ordinal));

    /// <summary>Loads the source's guard; an empty guard when the file does not exist.</summary>
    /// <exception cref="InvalidDataException">The file exists but is unreadable (named in the message).</exception>
    public static async Task<RepairGuard> LoadAsync(IObjectStore store, string sourceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var key = StoreKeys.RepairGuard(sourceId);
        var bytes = await store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return Empty();
        }
        GuardDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize<GuardDto>(bytes, Json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{key}' is not a valid repair guard: {ex.Message}", ex);
        }
        if (dto is null || dto.FormatVersion != FormatVersion || dto.Keys is null)
        {
            throw new InvalidDataException($"'{key}' is not a repair guard of format version {FormatVersion}.");
        }
        var versions = new Dictionary<string, long>(dto.Keys.Count, StringComparer.Ordinal);
        foreach (var entry in dto.Keys)
        {
            versions[entry.Key] = entry.Version;
        }
        return new RepairGuard(versions);
    }

    /// <summary>Guards the keys of <paramref name="repairs"/> at their versions (keeping the newer of two).</summary>
    public void Add(IEnumerable<SourceChange> repairs)
    {
        ArgumentNullException.ThrowIfNull(repairs);
        foreach (var change in repairs)
        {
            if (!_versions.TryGetValue(change.Key, out var existing) || existing < change.SourceVersion)
            {
                _versions[change.Key] = change.SourceVersion;
            }
        }
    }

    /// <summary>Writes the guard (atomic replace). Call after <see cref="Add"/> and before committing the repairs.</summary>
    public ValueTask SaveAsync(IObjectStore store, string sourceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var dto = new GuardDto(FormatVersion, sourceId, [.. _versions.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new EntryDto(p.Key, p.Value))]);
        return store.PutAsync(StoreKeys.RepairGuard(sourceId), JsonSerializer.SerializeToUtf8Bytes(dto, Json), cancellationToken);
    }

    /// <summary>
    /// Returns <paramref name="changes"/> without the capture or backfill changes a repair
    /// supersedes (version at or below the guarded one), and ends the guard of every key capture
    /// has caught up on. Returns the same list when nothing is guarded (the common case).
    /// </summary>
    public IReadOnlyList<SourceChange> Filter(IReadOnlyList<SourceChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (_versions.Count == 0)
        {
            return changes;
        }
        List<SourceChange>? kept = null;
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i];
            var drop = false;
            if (change.Origin != ChangeOrigin.Repair && _versions.TryGetValue(change.Key, out var guarded))
            {
                drop = change.SourceVersion <= guarded;
                if (change.SourceVersion >= guarded)
                {
                    _versions.Remove(change.Key);
                }
            }
            if (drop && kept is null)
            {
                kept = new List<SourceChange>(changes.Count);
                for (var j = 0; j < i; j++)
                {
                    kept.Add(changes[j]);
                }
            }
            if (!drop)
            {
                kept?.Add(change);
            }
        }
        return kept ?? changes;
    }

    private sealed record GuardDto(int FormatVersion, string? SourceId, List<EntryDto>? Keys);

    private sealed record EntryDto(string Key, long Version);
}
