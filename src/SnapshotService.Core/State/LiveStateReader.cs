using System.Runtime.CompilerServices;
using SnapshotService.Storage;

namespace SnapshotService.State;

/// <summary>Reads a source's live-state checkpoints (manifests and range files). Safe while a compactor writes.</summary>
public sealed class LiveStateReader
{
    /// <summary>Creates a reader for <paramref name="sourceId"/> in <paramref name="store"/>.</summary>
    public LiveStateReader(IObjectStore store, string sourceId)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
        SourceId = SourceIds.Validate(sourceId);
    }

    /// <summary>The store.</summary>
    public IObjectStore Store { get; }

    /// <summary>The source.</summary>
    public string SourceId { get; }

    /// <summary>
    /// The newest manifest: the one <c>state/latest.json</c> names, else (pointer missing or
    /// damaged) the newest readable one found by listing; null when there is none.
    /// </summary>
    /// <remarks>
    /// Two compactors racing may leave the pointer one manifest behind; that costs a longer tail
    /// replay for whoever reads it, never correctness (every manifest is a complete state).
    /// </remarks>
    public async Task<LiveStateManifest?> ReadLatestManifestAsync(CancellationToken cancellationToken)
    {
        var pointerKey = StoreKeys.StateLatest(SourceId);
        var pointer = await Store.ReadAsync(pointerKey, cancellationToken).ConfigureAwait(false);
        if (pointer is not null)
        {
            try
            {
                var latest = LiveStateJson.DecodeLatest(pointerKey, pointer);
                if (await TryReadManifestAsync(latest.CommitNumber, cancellationToken).ConfigureAwait(false) is { } manifest)
                {
                    return manifest;
                }
            }
            catch (InvalidDataException)
            {
                // A damaged pointer only costs a listing.
            }
        }
        var numbers = await ListManifestCommitsAsync(cancellationToken).ConfigureAwait(false);
        for (var i = numbers.Count - 1; i >= 0; i--)
        {
            if (await TryReadManifestAsync(numbers[i], cancellationToken).ConfigureAwait(false) is { } manifest)
            {
                return manifest;
            }
        }
        return null;
    }

    /// <summary>
    /// The newest manifest whose LastSeq ≤ <paramref name="seq"/> (the checkpoint to start a view
    /// at seq from), or null when every manifest is newer (or there is none): then the view
    /// replays the log from seq 1.
    /// </summary>
    public async Task<LiveStateManifest?> FindManifestAtOrBeforeAsync(long seq, CancellationToken cancellationToken)
    {
        var numbers = await ListManifestCommitsAsync(cancellationToken).ConfigureAwait(false);
        for (var i = numbers.Count - 1; i >= 0; i--)
        {
            var manifest = await TryReadManifestAsync(numbers[i], cancellationToken).ConfigureAwait(false);
            if (manifest is not null && manifest.LastSeq <= seq)
            {
                return manifest;
            }
        }
        return null;
    }

    /// <summary>Reads manifest <c>state/manifests/{commitNumber:D20}.json</c>; null when missing.</summary>
    /// <exception cref="InvalidDataException">It exists but cannot be parsed (the key is named).</exception>
    public async Task<LiveStateManifest?> ReadManifestAsync(long commitNumber, CancellationToken cancellationToken)
    {
        var key = StoreKeys.StateManifest(SourceId, commitNumber);
        var bytes = await Store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }
        var manifest = LiveStateJson.DecodeManifest(key, bytes);
        if (manifest.CommitNumber != commitNumber || !string.Equals(manifest.SourceId, SourceId, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Live-state manifest '{key}' says it is commit {manifest.CommitNumber} of source '{manifest.SourceId}'; refusing a file that was renamed or copied.");
        }
        return manifest;
    }

    /// <summary>The commit numbers of the stored manifests, ascending (one listing).</summary>
    public async Task<IReadOnlyList<long>> ListManifestCommitsAsync(CancellationToken cancellationToken)
    {
        var numbers = new List<long>();
        await foreach (var item in Store.ListAsync(StoreKeys.StateManifestsPrefix(SourceId), cancellationToken).ConfigureAwait(false))
        {
            if (StoreKeys.TryParseLeadingNumber(item.Key, out var number))
            {
                numbers.Add(number);
            }
        }
        numbers.Sort();
        return numbers;
    }

    /// <summary>Streams the entries of range <paramref name="rangeIndex"/> of <paramref name="manifest"/>, sorted by key. Holds one range file in memory.</summary>
    /// <exception cref="InvalidDataException">The range file is missing (e.g. collected while this manifest was in use) or does not match the manifest.</exception>
    public async IAsyncEnumerable<LiveEntry> ReadRangeAsync(LiveStateManifest manifest, int rangeIndex, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentOutOfRangeException.ThrowIfNegative(rangeIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rangeIndex, manifest.Ranges.Count);
        var range = manifest.Ranges[rangeIndex];
        if (range.File is null)
        {
            yield break;
        }
        var key = StoreKeys.InSource(SourceId, range.File);
        var bytes = await Store.ReadAsync(key, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"Range file '{range.File}' named by live-state manifest {manifest.CommitNumber} of source '{SourceId}' is missing; the manifest was probably garbage-collected meanwhile — read the latest manifest again.");
        foreach (var entry in RangeFileCodec.Decode(range.File, bytes, range))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }
    }

    private async Task<LiveStateManifest?> TryReadManifestAsync(long commitNumber, CancellationToken cancellationToken)
    {
        if (commitNumber <= 0)
        {
            return null;
        }
        try
        {
            return await ReadManifestAsync(commitNumber, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            return null; // an older manifest, or the log from seq 1, still gives the right answer
        }
    }
}
