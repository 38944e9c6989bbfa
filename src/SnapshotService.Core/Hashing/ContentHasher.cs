using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Text;

namespace SnapshotService.Hashing;

/// <summary>
/// The canonical content hash: XxHash128 over the canonical JSON form of a document (object keys
/// sorted by ordinal, numbers normalised, no whitespace, excluded top-level fields removed).
/// Specified with test vectors in docs/export-format.md.
/// </summary>
/// <remarks>
/// Two documents that differ only in key order, whitespace, number spelling (<c>1.0</c> vs
/// <c>1</c>) or string escaping (<c>"\u0041"</c> vs <c>"A"</c>) hash equal, so reconciliation
/// does not report drift for a re-serialised but unchanged document. Thread-safe; allocation-free
/// apart from the returned string.
/// </remarks>
public static class ContentHasher
{
    /// <summary>Number of hex digits of a hash.</summary>
    public const int HexLength = 32;

    private static readonly ConditionalWeakTable<ContentHashOptions, byte[][]> ExcludedNameCache = [];

    /// <summary>Hashes a UTF-8 JSON document; returns 32 lowercase hex digits. Throws <see cref="InvalidDataException"/> for invalid JSON.</summary>
    public static string Hash(ReadOnlySpan<byte> utf8Json, ContentHashOptions options)
    {
        Span<byte> hex = stackalloc byte[HexLength];
        WriteHashHex(HashValue(utf8Json, options), hex);
        return Encoding.ASCII.GetString(hex);
    }

    /// <summary>The hash as a number: XxHash128 (seed 0) of the canonical bytes.</summary>
    public static UInt128 HashValue(ReadOnlySpan<byte> utf8Json, ContentHashOptions options)
    {
        var canonical = JsonCanonicalizer.Rent().Canonicalize(utf8Json, ExcludedNames(options));
        return XxHash128.HashToUInt128(canonical);
    }

    /// <summary>
    /// The hash reconciliation compares: <see cref="HashValue"/>, or for a source document that is
    /// not valid JSON the checksum of its raw bytes with a fixed seed. Such a document is never in
    /// the export (capture dead-letters it), so it shows as drift instead of failing the run.
    /// </summary>
    public static UInt128 HashValueOrRaw(ReadOnlySpan<byte> utf8Json, ContentHashOptions options)
    {
        try
        {
            return HashValue(utf8Json, options);
        }
        catch (InvalidDataException)
        {
            return XxHash128.HashToUInt128(utf8Json, seed: 0x706F69736F6EL); // "poison"
        }
    }

    /// <summary>Writes the canonical form of <paramref name="utf8Json"/> (for docs, tests and debugging).</summary>
    public static byte[] Canonicalize(ReadOnlySpan<byte> utf8Json, ContentHashOptions options) =>
        JsonCanonicalizer.Rent().Canonicalize(utf8Json, ExcludedNames(options)).ToArray();

    /// <summary>
    /// Writes <paramref name="value"/> as 32 lowercase hex digits, most significant first (the
    /// big-endian bytes of the UInt128, which is also the byte order <c>XxHash128.Hash</c> returns).
    /// </summary>
    public static void WriteHashHex(UInt128 value, Span<byte> destination)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        for (var i = 0; i < 16; i++)
        {
            destination[2 * i] = HexDigit(bytes[i] >> 4);
            destination[(2 * i) + 1] = HexDigit(bytes[i] & 0xF);
        }
    }

    /// <summary>Formats a hash value as 32 lowercase hex digits.</summary>
    public static string ToHex(UInt128 value)
    {
        Span<byte> hex = stackalloc byte[HexLength];
        WriteHashHex(value, hex);
        return Encoding.ASCII.GetString(hex);
    }

    /// <summary>XxHash128 of raw bytes as 32 lowercase hex digits (segment checksums use this).</summary>
    public static string ChecksumHex(ReadOnlySpan<byte> bytes) => ToHex(XxHash128.HashToUInt128(bytes));

    private static byte[][] ExcludedNames(ContentHashOptions options) =>
        ExcludedNameCache.GetValue(options, static o =>
        {
            var names = new List<byte[]>(o.ExcludedFields.Count);
            foreach (var name in o.ExcludedFields)
            {
                names.Add(Encoding.UTF8.GetBytes(name));
            }
            return [.. names];
        });

    private static byte HexDigit(int value) => (byte)(value < 10 ? '0' + value : 'a' + value - 10);
}
