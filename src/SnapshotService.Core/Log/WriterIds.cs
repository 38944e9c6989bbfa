using System.Security.Cryptography;
using System.Text;

namespace SnapshotService.Log;

/// <summary>Writer identities: who wrote a commit, and the short random tag in segment names.</summary>
public static class WriterIds
{
    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lowercase

    /// <summary>The longest writer id kept in commit records.</summary>
    public const int MaxLength = 100;

    /// <summary>A new default writer id: <c>{machine}-{pid}-{random6}</c>, lowercase, safe for logs and file names.</summary>
    public static string CreateDefault() => Sanitize($"{Environment.MachineName}-{Environment.ProcessId}-{RandomTag(6)}");

    /// <summary>Lowercases and replaces characters outside <c>[a-z0-9._-]</c> with '-', and limits the length.</summary>
    public static string Sanitize(string writerId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(writerId);
        var builder = new StringBuilder(Math.Min(writerId.Length, MaxLength));
        foreach (var c in writerId)
        {
            if (builder.Length == MaxLength)
            {
                break;
            }
            var lower = char.ToLowerInvariant(c);
            builder.Append(lower is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or '-' ? lower : '-');
        }
        return builder.ToString();
    }

    /// <summary><paramref name="length"/> random Crockford base32 characters (5 bits each).</summary>
    public static string RandomTag(int length)
    {
        Span<byte> bytes = stackalloc byte[length];
        RandomNumberGenerator.Fill(bytes);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = Alphabet[bytes[i] & 31];
        }
        return new string(chars);
    }
}
