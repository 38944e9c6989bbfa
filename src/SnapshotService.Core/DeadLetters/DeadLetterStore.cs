using System.Globalization;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Text;
using SnapshotService.Storage;

namespace SnapshotService.DeadLetters;

/// <summary>
/// The <c>deadletter/</c> folder of one source: one file per set-aside change. Written before the
/// commit that moves the source position past the change, so a crash in between re-reads the
/// change and writes the same id again (put-if-absent): nothing is lost and nothing doubles.
/// </summary>
public sealed class DeadLetterStore(IObjectStore store, string sourceId)
{
    private const string Extension = ".json";
    private readonly string _prefix = StoreKeys.SourceRoot(sourceId) + StoreKeys.DeadLetterFolder;

    /// <summary>The source.</summary>
    public string SourceId { get; } = sourceId;

    /// <summary>
    /// The id of a change's dead letter: its source version (zero-padded, so listing order follows
    /// versions) and a hash of its key. The same change always gets the same id.
    /// </summary>
    public static string IdFor(string key, long sourceVersion)
    {
        ArgumentNullException.ThrowIfNull(key);
        var keyHash = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(key));
        return string.Create(CultureInfo.InvariantCulture, $"{unchecked((ulong)sourceVersion):D20}-{keyHash:x16}");
    }

    /// <summary>Writes <paramref name="letter"/> unless a dead letter with its id exists; durable on return.</summary>
    /// <returns>True when written, false when it was already there (the same change set aside before).</returns>
    public async ValueTask<bool> WriteAsync(DeadLetter letter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(letter);
        return await store.PutIfAbsentAsync(KeyOf(letter.Id), DeadLetterJson.Encode(letter), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one dead letter, or null when there is none with that id.</summary>
    /// <exception cref="ArgumentException">The id is not a dead-letter id.</exception>
    public async ValueTask<DeadLetter?> ReadAsync(string id, CancellationToken cancellationToken)
    {
        var key = KeyOf(id);
        var bytes = await store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : DeadLetterJson.Decode(key, bytes);
    }

    /// <summary>Lists dead letters in id order, starting after <paramref name="afterId"/> (null: from the first).</summary>
    public async IAsyncEnumerable<DeadLetter> ListAsync(string? afterId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var stored in store.ListAsync(_prefix, cancellationToken).ConfigureAwait(false))
        {
            if (!stored.Key.EndsWith(Extension, StringComparison.Ordinal))
            {
                continue;
            }
            var id = stored.Key[_prefix.Length..^Extension.Length];
            if (afterId is not null && string.CompareOrdinal(id, afterId) <= 0)
            {
                continue;
            }
            var bytes = await store.ReadAsync(stored.Key, cancellationToken).ConfigureAwait(false);
            if (bytes is not null)
            {
                yield return DeadLetterJson.Decode(stored.Key, bytes);
            }
        }
    }

    /// <summary>Deletes a dead letter; false when there was none with that id.</summary>
    public ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken) => store.DeleteAsync(KeyOf(id), cancellationToken);

    /// <summary>Counts the dead letters of this source.</summary>
    public async Task<int> CountAsync(CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var stored in store.ListAsync(_prefix, cancellationToken).ConfigureAwait(false))
        {
            if (stored.Key.EndsWith(Extension, StringComparison.Ordinal))
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>True when <paramref name="id"/> has the shape of a dead-letter id.</summary>
    public static bool IsValidId(string? id) =>
        id is { Length: 37 } && id[20] == '-' && id.AsSpan(0, 20).ContainsAnyExceptInRange('0', '9') is false
        && id.AsSpan(21).ContainsAnyExcept("0123456789abcdef") is false;

    private string KeyOf(string id) => IsValidId(id)
        ? _prefix + id + Extension
        : throw new ArgumentException($"'{id}' is not a dead-letter id (20 digits, '-', 16 lowercase hex digits, as listed by DeadLetters.List).", nameof(id));
}
