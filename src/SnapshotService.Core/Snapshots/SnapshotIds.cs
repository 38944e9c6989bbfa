using System.Security.Cryptography;

namespace SnapshotService.Snapshots;

/// <summary>
/// Snapshot ids: <c>snap-</c> + 26 lowercase Crockford base32 characters encoding 48 bits of
/// Unix milliseconds and 80 random bits (ULID layout), so ordinal order is creation order and
/// listing newest-first needs no index. Within one millisecond of one process the random part
/// is incremented, keeping that order strict.
/// </summary>
public static class SnapshotIds
{
    /// <summary>The id prefix.</summary>
    public const string Prefix = "snap-";

    /// <summary>Length of an id.</summary>
    public const int Length = 31;

    /// <summary>The rule as users read it.</summary>
    public const string Rule = "'snap-' followed by 26 characters of 0-9 and a-z without i, l, o, u";

    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
    private static readonly Lock Gate = new();
    private static long s_lastMilliseconds = -1;
    private static UInt128 s_lastRandom;

    /// <summary>Creates a new id for the current time.</summary>
    public static string NewId() => NewId(DateTimeOffset.UtcNow);

    /// <summary>Creates a new id for <paramref name="now"/> (monotonic within the process).</summary>
    public static string NewId(DateTimeOffset now)
    {
        var milliseconds = Math.Max(0, now.ToUnixTimeMilliseconds()) & 0xFFFF_FFFF_FFFF;
        UInt128 random;
        lock (Gate)
        {
            if (milliseconds <= s_lastMilliseconds)
            {
                milliseconds = s_lastMilliseconds;
                random = (s_lastRandom + 1) & ((UInt128.One << 80) - 1);
            }
            else
            {
                Span<byte> bytes = stackalloc byte[10];
                RandomNumberGenerator.Fill(bytes);
                random = 0;
                foreach (var b in bytes)
                {
                    random = (random << 8) | b;
                }
            }
            s_lastMilliseconds = milliseconds;
            s_lastRandom = random;
        }
        return Format(milliseconds, random);
    }

    /// <summary>Spells an id from its 48-bit time and 80-bit random part.</summary>
    internal static string Format(long milliseconds, UInt128 random)
    {
        var value = ((UInt128)(ulong)milliseconds << 80) | (random & ((UInt128.One << 80) - 1));
        Span<char> chars = stackalloc char[Length];
        Prefix.AsSpan().CopyTo(chars);
        for (var i = Length - 1; i >= Prefix.Length; i--)
        {
            chars[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }
        return new string(chars);
    }

    /// <summary>Returns null when <paramref name="id"/> is a well-formed id, else what is wrong.</summary>
    public static string? Check(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return $"snapshot_id is required ({Rule}).";
        }
        if (id.Length != Length || !id.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return $"snapshot_id '{Shorten(id)}' is malformed; ids are {Rule}, e.g. 'snap-01jh5x0m6d7h3a9c2q4r8t5v6w'.";
        }
        for (var i = Prefix.Length; i < id.Length; i++)
        {
            if (!Alphabet.Contains(id[i], StringComparison.Ordinal))
            {
                return $"snapshot_id '{id}' contains '{id[i]}'; ids are {Rule}.";
            }
        }
        if (id[Prefix.Length] > '7')
        {
            return $"snapshot_id '{id}' is out of range (its first character after 'snap-' is at most '7').";
        }
        return null;
    }

    /// <summary>The creation time encoded in a well-formed id.</summary>
    public static DateTimeOffset TimeOf(string id)
    {
        long milliseconds = 0;
        for (var i = Prefix.Length; i < Prefix.Length + 10; i++)
        {
            milliseconds = (milliseconds << 5) | (long)Alphabet.IndexOf(id[i], StringComparison.Ordinal);
        }
        return DateTimeOffset.FromUnixTimeMilliseconds(milliseconds); // 10 chars = 50 bits: 2 zero bits + 48 bits of time
    }

    private static string Shorten(string id) => id.Length <= 60 ? id : id[..60] + "…";
}
