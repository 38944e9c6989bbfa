namespace SnapshotService.Hashing;

/// <summary>
/// The canonical content hash: XxHash128 over the canonical JSON form of a document (object keys
/// sorted by ordinal, numbers normalised, no whitespace, excluded top-level fields removed).
/// Specified with test vectors in docs/export-format.md.
/// </summary>
public static class ContentHasher
{
    /// <summary>Hashes a UTF-8 JSON document; returns 32 lowercase hex digits.</summary>
    public static string Hash(ReadOnlySpan<byte> utf8Json, ContentHashOptions options) => throw new NotImplementedException();

    /// <summary>Writes the canonical form of <paramref name="utf8Json"/> (for docs, tests and debugging).</summary>
    public static byte[] Canonicalize(ReadOnlySpan<byte> utf8Json, ContentHashOptions options) => throw new NotImplementedException();
}
