using System.Runtime.InteropServices;
using ZstdSharp;

namespace SnapshotService.Compression;

/// <summary>
/// zstd for segments, packs and view parts: the system's native libzstd when it can be loaded
/// (about twice as fast as the managed port, which matters because compression is the largest
/// share of a view's CPU time), else ZstdSharp. Both write and read standard zstd frames, so files
/// are the same format either way and a reader never cares which wrote them.
/// </summary>
public static class Zstd
{
    /// <summary>True when the native library is in use (shown in benchmark reports).</summary>
    public static bool IsNative => NativeZstd.IsAvailable;

    /// <summary>Compresses <paramref name="source"/> into one frame that records its size.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> source, int level)
    {
        if (NativeZstd.IsAvailable)
        {
            var buffer = GC.AllocateUninitializedArray<byte>(NativeZstd.CompressBound(source.Length));
            var written = NativeZstd.Compress(source, buffer, level);
            return written == buffer.Length ? buffer : buffer.AsSpan(0, written).ToArray();
        }
        using var compressor = new Compressor(level);
        return compressor.Wrap(source).ToArray();
    }

    /// <summary>Compresses into <paramref name="destination"/> (at least <see cref="CompressBound"/> bytes); returns the bytes written.</summary>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination, int level)
    {
        if (NativeZstd.IsAvailable)
        {
            return NativeZstd.Compress(source, destination, level);
        }
        using var compressor = new Compressor(level);
        return compressor.Wrap(source, destination);
    }

    /// <summary>The most bytes compressing <paramref name="length"/> bytes can take.</summary>
    public static int CompressBound(int length) => Compressor.GetCompressBound(length);

    /// <summary>Decompresses every frame of <paramref name="compressed"/>; each must record its size.</summary>
    /// <exception cref="InvalidDataException">Not valid zstd, or a frame without its size; the message starts with <paramref name="what"/> (e.g. "Segment 'segments/…'").</exception>
    public static byte[] Decompress(string what, ReadOnlySpan<byte> compressed)
    {
        if (NativeZstd.IsAvailable)
        {
            return NativeZstd.Decompress(what, compressed);
        }
        try
        {
            var size = Decompressor.GetDecompressedSize(compressed);
            if (size is 0 or > int.MaxValue)
            {
                throw new InvalidDataException($"{what} does not declare a usable decompressed size ({size}).");
            }
            var output = GC.AllocateUninitializedArray<byte>((int)size);
            using var decompressor = new Decompressor();
            var written = decompressor.Unwrap(compressed, output);
            return written == output.Length ? output : output[..written];
        }
        catch (ZstdException e)
        {
            throw new InvalidDataException($"{what} is not valid zstd data: {e.Message}", e);
        }
    }
}

/// <summary>P/Invoke into the system's libzstd (Debian: libzstd1), loaded once if present.</summary>
internal static partial class NativeZstd
{
    private const string Library = "libzstd.so.1";
    private const ulong ContentSizeUnknown = unchecked(0UL - 1);
    private const ulong ContentSizeError = unchecked(0UL - 2);

    public static bool IsAvailable { get; } = Probe();

    public static int CompressBound(int length) => checked((int)ZSTD_compressBound((nuint)length));

    public static unsafe int Compress(ReadOnlySpan<byte> source, Span<byte> destination, int level)
    {
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            var result = ZSTD_compress(dst, (nuint)destination.Length, src, (nuint)source.Length, level);
            if (ZSTD_isError(result) != 0)
            {
                throw new InvalidOperationException($"zstd compression failed: {Marshal.PtrToStringUTF8(ZSTD_getErrorName(result))}");
            }
            return checked((int)result);
        }
    }

    public static unsafe byte[] Decompress(string what, ReadOnlySpan<byte> compressed)
    {
        fixed (byte* src = compressed)
        {
            var size = ZSTD_findDecompressedSize(src, (nuint)compressed.Length);
            if (size is ContentSizeError)
            {
                throw new InvalidDataException($"{what} is not valid zstd data.");
            }
            if (size is ContentSizeUnknown or 0 or > int.MaxValue)
            {
                throw new InvalidDataException($"{what} does not declare a usable decompressed size.");
            }
            var output = GC.AllocateUninitializedArray<byte>((int)size);
            fixed (byte* dst = output)
            {
                var result = ZSTD_decompress(dst, (nuint)output.Length, src, (nuint)compressed.Length);
                if (ZSTD_isError(result) != 0)
                {
                    throw new InvalidDataException($"{what} is not valid zstd data: {Marshal.PtrToStringUTF8(ZSTD_getErrorName(result))}");
                }
                return result == (nuint)output.Length ? output : output[..(int)result];
            }
        }
    }

    private static bool Probe()
    {
        if (Environment.GetEnvironmentVariable("SNAPSHOTSERVICE_MANAGED_ZSTD") == "1" || !OperatingSystem.IsLinux() ||
            !NativeLibrary.TryLoad(Library, out _))
        {
            return false;
        }
        try
        {
            return ZSTD_versionNumber() >= 10400; // frames and APIs used here are stable since 1.4
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport(Library)]
    private static partial uint ZSTD_versionNumber();

    [LibraryImport(Library)]
    private static partial nuint ZSTD_compressBound(nuint srcSize);

    [LibraryImport(Library)]
    private static unsafe partial nuint ZSTD_compress(byte* dst, nuint dstCapacity, byte* src, nuint srcSize, int compressionLevel);

    [LibraryImport(Library)]
    private static unsafe partial nuint ZSTD_decompress(byte* dst, nuint dstCapacity, byte* src, nuint compressedSize);

    [LibraryImport(Library)]
    private static unsafe partial ulong ZSTD_findDecompressedSize(byte* src, nuint srcSize);

    [LibraryImport(Library)]
    private static partial uint ZSTD_isError(nuint code);

    [LibraryImport(Library)]
    private static partial IntPtr ZSTD_getErrorName(nuint code);
}
