using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace SnapshotService.Restore;

/// <summary>
/// The simulated source's writable target: a directory with one JSON file per document
/// (<c>{hex of the UTF-8 key}.json</c> holding key, partition_key and document). Meant for
/// demos, tests and drills, not for millions of documents: every key is a file and a scan
/// lists the directory. Each write is atomic (temp file, then rename) but not fsynced, since an
/// fsync per document makes a drill of 10k documents take most of a minute: a machine crash
/// can lose the last writes, which the verification reports and a re-run restores.
/// </summary>
public sealed class FileRestoreTarget : IRestoreTarget
{
    private readonly string _directory;

    /// <summary>Opens (creating) the target directory.</summary>
    public FileRestoreTarget(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(_directory);
    }

    /// <inheritdoc />
    public string Description => "file:" + _directory;

    /// <inheritdoc />
    public async ValueTask UpsertAsync(IReadOnlyList<RestoreDocument> documents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documents);
        foreach (var document in documents)
        {
            var path = PathOf(document.Key);
            var temp = path + ".tmp";
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(Encode(document), cancellationToken).ConfigureAwait(false);
            }
            File.Move(temp, path, overwrite: true);
        }
    }

    /// <inheritdoc />
    public ValueTask DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            File.Delete(PathOf(key));
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RestoreDocument> ScanAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        foreach (var path in Directory.EnumerateFiles(_directory, "*.json"))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            keys.Add(Encoding.UTF8.GetString(Convert.FromHexString(name)));
        }
        keys.Sort(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            byte[] bytes;
            try
            {
                bytes = await File.ReadAllBytesAsync(PathOf(key), cancellationToken).ConfigureAwait(false);
            }
            catch (FileNotFoundException)
            {
                continue; // deleted since the listing
            }
            yield return Decode(key, bytes);
        }
    }

    private string PathOf(string key)
    {
        var name = Convert.ToHexStringLower(Encoding.UTF8.GetBytes(key));
        // File names stop at 255 bytes on common filesystems; this target is for simulated keys.
        return name.Length <= 240
            ? Path.Combine(_directory, name + ".json")
            : throw new ArgumentException($"Key '{key[..Math.Min(key.Length, 40)]}…' is longer than 120 UTF-8 bytes, which the file restore target cannot name; restore into a database target instead.", nameof(key));
    }

    private static byte[] Encode(RestoreDocument document)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("key", document.Key);
            if (document.PartitionKey is null)
            {
                writer.WriteNull("partition_key");
            }
            else
            {
                writer.WriteString("partition_key", document.PartitionKey);
            }
            writer.WritePropertyName("document");
            writer.WriteRawValue(document.Document.Span, skipInputValidation: false);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private RestoreDocument Decode(string key, byte[] bytes)
    {
        try
        {
            using var json = JsonDocument.Parse(bytes);
            var root = json.RootElement;
            var partition = root.TryGetProperty("partition_key", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            return new RestoreDocument(key, partition, Encoding.UTF8.GetBytes(root.GetProperty("document").GetRawText()));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException)
        {
            throw new InvalidDataException($"Restore target {Description}: the file of key '{key}' is not valid: {e.Message}", e);
        }
    }
}
