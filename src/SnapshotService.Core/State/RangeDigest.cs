using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Text;
using SnapshotService.Hashing;

namespace SnapshotService.State;

/// <summary>
/// The order-independent digest of a key range: the number of live keys and the sum (mod 2^128)
/// of <see cref="Contribution"/> over them. Reconciliation computes the same value over the
/// source's documents and compares; equal digests mean equal (key, content hash) sets with
/// overwhelming probability.
/// </summary>
/// <remarks>
/// A sum rather than a hash chain so that it is updated in O(1) per change — add the new entry,
/// subtract the entry it replaces — and so that the source may be scanned in any order. Each
/// contribution is XxHash128(key UTF-8 ‖ 0x00 ‖ the 16 big-endian bytes of the content hash);
/// the 0x00 separator keeps (key "a", hash h) apart from a key that ends in h's bytes.
/// </remarks>
/// <param name="Count">Number of live keys in the range.</param>
/// <param name="Sum">Sum of contributions modulo 2^128.</param>
public readonly record struct RangeDigest(long Count, UInt128 Sum)
{
    /// <summary>The digest of an empty range.</summary>
    public static RangeDigest Empty => default;

    /// <summary>The sum as 32 lowercase hex digits (the form stored in manifests).</summary>
    public string SumHex => ContentHasher.ToHex(Sum);

    /// <summary>What one live (key, content hash) pair adds to a range's sum.</summary>
    [SkipLocalsInit] // the 512-byte stack buffer is written before it is read; don't zero it per key
    public static UInt128 Contribution(string key, UInt128 contentHash)
    {
        ArgumentNullException.ThrowIfNull(key);
        var keyBytes = Encoding.UTF8.GetMaxByteCount(key.Length);
        var rented = keyBytes + 17 <= 512 ? null : ArrayPool<byte>.Shared.Rent(keyBytes + 17);
        Span<byte> buffer = rented is null ? stackalloc byte[512] : rented;
        try
        {
            var length = Encoding.UTF8.GetBytes(key, buffer);
            buffer[length++] = 0;
            BinaryPrimitives.WriteUInt128BigEndian(buffer[length..], contentHash);
            return XxHash128.HashToUInt128(buffer[..(length + 16)]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The digest with (key, content hash) added: an insert, or the new side of an update.</summary>
    public RangeDigest Add(string key, UInt128 contentHash) => new(Count + 1, unchecked(Sum + Contribution(key, contentHash)));

    /// <summary>The digest with (key, content hash) removed: a delete, or the old side of an update.</summary>
    public RangeDigest Remove(string key, UInt128 contentHash) => new(Count - 1, unchecked(Sum - Contribution(key, contentHash)));

    /// <summary>Combines two digests of disjoint key sets.</summary>
    public RangeDigest Plus(RangeDigest other) => new(Count + other.Count, unchecked(Sum + other.Sum));

    /// <summary>Parses a 32-hex-digit sum as stored in manifests.</summary>
    public static UInt128 ParseSum(string hex) => ParseHash(hex);

    /// <summary>Parses a content hash (32 hex digits, as in segments) into its numeric form.</summary>
    /// <exception cref="FormatException">Not 32 hex digits.</exception>
    public static UInt128 ParseHash(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (hex.Length != ContentHasher.HexLength ||
            !UInt128.TryParse(hex, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"'{hex}' is not a content hash (32 hex digits).");
        }
        return value;
    }
}
