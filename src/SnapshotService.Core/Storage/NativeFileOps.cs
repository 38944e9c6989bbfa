using System.Runtime.InteropServices;

namespace SnapshotService.Storage;

/// <summary>
/// The two POSIX calls .NET does not expose: link(2), which creates a name only if it does not
/// exist (our exclusive create with full content), and fsync of a directory, which makes a new
/// or renamed name survive power loss.
/// </summary>
internal static partial class NativeFileOps
{
    private const int Eexist = 17; // same value on Linux and macOS
    private const int ORdOnly = 0; // O_DIRECTORY differs per architecture; opening a directory read-only is enough for fsync

    /// <summary>True where link(2) and directory fsync are available through libc.</summary>
    public static bool IsPosix { get; } = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD();

    /// <summary>Creates <paramref name="target"/> as a hard link to <paramref name="source"/>; false when target exists.</summary>
    public static bool TryLink(string source, string target)
    {
        if (!IsPosix)
        {
            try
            {
                File.Move(source, target, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(target))
            {
                return false;
            }
        }
        if (Link(source, target) == 0)
        {
            return true;
        }
        var errno = Marshal.GetLastPInvokeError();
        if (errno == Eexist)
        {
            return false;
        }
        throw new IOException($"link('{source}', '{target}') failed with errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)}).");
    }

    /// <summary>Flushes a directory's entries to disk (no-op where unsupported).</summary>
    public static void FsyncDirectory(string directory)
    {
        if (!IsPosix)
        {
            return;
        }
        var fd = Open(directory, ORdOnly);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"open('{directory}') for fsync failed with errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)}).");
        }
        try
        {
            if (Fsync(fd) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new IOException($"fsync('{directory}') failed with errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string oldPath, string newPath);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
