using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace SnapshotService.Storage;

/// <summary>
/// <see cref="IObjectStore"/> on a local directory. Put-if-absent writes a temp file, fsyncs it
/// and hard-links it into place (link(2) fails with EEXIST: exclusive create with full content);
/// replace writes a temp file and renames it over the target; directories are fsynced after both.
/// </summary>
/// <remarks>
/// Temp files live in <c>{root}/.tmp/</c> (on the same file system, so link and rename are
/// atomic). A crash can leave temp files behind; <see cref="DeleteStaleTempFiles"/> removes them.
/// Operations run synchronously on the calling thread: they are short, and the capture loop
/// awaits each write before the next anyway.
/// </remarks>
public sealed class FileSystemObjectStore : IObjectStore
{
    private const string TempFolderName = ".tmp";
    private readonly string _rootWithSeparator;
    private readonly string _tempDirectory;
    private readonly ConcurrentDictionary<string, byte> _knownDirectories = new(StringComparer.Ordinal);

    /// <summary>Creates a durable store rooted at <paramref name="rootDirectory"/> (created if missing).</summary>
    public FileSystemObjectStore(string rootDirectory)
        : this(rootDirectory, durable: true)
    {
    }

    /// <summary>
    /// Creates a store rooted at <paramref name="rootDirectory"/>. With <paramref name="durable"/>
    /// false, files and directories are not fsynced: a power loss may lose recent commits (a process
    /// crash does not). Only for benchmarks and tests.
    /// </summary>
    public FileSystemObjectStore(string rootDirectory, bool durable)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootDirectory);
        RootDirectory = Path.GetFullPath(rootDirectory).TrimEnd(Path.DirectorySeparatorChar);
        _rootWithSeparator = RootDirectory + Path.DirectorySeparatorChar;
        _tempDirectory = Path.Combine(RootDirectory, TempFolderName);
        Durable = durable;
        Directory.CreateDirectory(_tempDirectory);
    }

    /// <summary>The absolute root directory.</summary>
    public string RootDirectory { get; }

    /// <summary>True when writes are fsynced (the default).</summary>
    public bool Durable { get; }

    /// <inheritdoc />
    public string Description => $"file:{RootDirectory}{(Durable ? string.Empty : " (not durable)")}";

    /// <summary>Maps a key to its absolute path; throws <see cref="ArgumentException"/> for a key that is invalid or escapes the root.</summary>
    public string PathOf(string key)
    {
        StoreKeys.Validate(key);
        var path = Path.GetFullPath(Path.Combine(RootDirectory, key.Replace('/', Path.DirectorySeparatorChar)));
        if (!path.StartsWith(_rootWithSeparator, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Object key '{key}' resolves to '{path}', outside the store root '{RootDirectory}'.", nameof(key));
        }
        return path;
    }

    /// <inheritdoc />
    public ValueTask<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var path = PathOf(key);
        if (File.Exists(path))
        {
            // Cheap early refusal (the fenced writer's common case); link below is still the arbiter.
            return ValueTask.FromResult(false);
        }
        var directory = EnsureParentDirectory(path);
        var temp = WriteTempFile(content.Span);
        bool created;
        try
        {
            created = NativeFileOps.TryLink(temp, path);
        }
        finally
        {
            File.Delete(temp); // after a successful link this removes the temp name, not the data
        }
        if (created && Durable)
        {
            NativeFileOps.FsyncDirectory(directory);
        }
        return ValueTask.FromResult(created);
    }

    /// <inheritdoc />
    public ValueTask PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var path = PathOf(key);
        var directory = EnsureParentDirectory(path);
        var temp = WriteTempFile(content.Span);
        try
        {
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        if (Durable)
        {
            NativeFileOps.FsyncDirectory(directory);
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask<byte[]?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(File.Exists(PathOf(key)));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        prefix = StoreKeys.ValidatePrefix(prefix);
        // Walk only the deepest folder the prefix names completely.
        var lastSlash = prefix.LastIndexOf('/');
        var baseKey = lastSlash < 0 ? string.Empty : prefix[..lastSlash];
        var baseDirectory = baseKey.Length == 0 ? RootDirectory : PathOf(baseKey);
        if (!Directory.Exists(baseDirectory))
        {
            yield break;
        }
        var found = new List<StoredObject>();
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false, ReturnSpecialDirectories = false };
        foreach (var info in new DirectoryInfo(baseDirectory).EnumerateFiles("*", options))
        {
            var relative = info.FullName.AsSpan(_rootWithSeparator.Length);
            if (relative.StartsWith(TempFolderName + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                continue;
            }
            var key = Path.DirectorySeparatorChar == '/' ? relative.ToString() : relative.ToString().Replace(Path.DirectorySeparatorChar, '/');
            if (key.StartsWith(prefix, StringComparison.Ordinal) && StoreKeys.IsValid(key))
            {
                found.Add(new StoredObject(key, info.Length, info.LastWriteTimeUtc));
            }
        }
        found.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var item in found)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var path = PathOf(key);
        if (!File.Exists(path))
        {
            return ValueTask.FromResult(false);
        }
        File.Delete(path);
        return ValueTask.FromResult(true);
    }

    /// <summary>
    /// Deletes temp files older than <paramref name="minAge"/> (left by crashed writers) and
    /// returns their names relative to the root. Younger ones may belong to a write in flight.
    /// </summary>
    public IReadOnlyList<string> DeleteStaleTempFiles(TimeSpan minAge)
    {
        var removed = new List<string>();
        var cutoff = DateTime.UtcNow - minAge;
        foreach (var info in new DirectoryInfo(_tempDirectory).EnumerateFiles())
        {
            if (info.LastWriteTimeUtc <= cutoff)
            {
                try
                {
                    info.Delete();
                    removed.Add(TempFolderName + "/" + info.Name);
                }
                catch (IOException)
                {
                    // Removed concurrently or still open elsewhere: the next collection retries.
                }
            }
        }
        return removed;
    }

    private string EnsureParentDirectory(string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (!_knownDirectories.ContainsKey(directory))
        {
            if (!Directory.Exists(directory))
            {
                Directory.CreateDirectory(directory);
                if (Durable)
                {
                    // Make the new directory's own entry durable too, up to the root.
                    for (var parent = Path.GetDirectoryName(directory); parent is not null && parent.Length >= RootDirectory.Length; parent = Path.GetDirectoryName(parent))
                    {
                        NativeFileOps.FsyncDirectory(parent);
                    }
                }
            }
            _knownDirectories.TryAdd(directory, 0);
        }
        return directory;
    }

    private string WriteTempFile(ReadOnlySpan<byte> content)
    {
        var temp = Path.Combine(_tempDirectory, Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using var handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, preallocationSize: content.Length);
            if (content.Length > 0)
            {
                RandomAccess.Write(handle, content, fileOffset: 0);
            }
            if (Durable)
            {
                RandomAccess.FlushToDisk(handle);
            }
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        return temp;
    }
}
