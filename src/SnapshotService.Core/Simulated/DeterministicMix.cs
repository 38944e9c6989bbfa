namespace SnapshotService.Simulated;

/// <summary>
/// The simulated source's only source of randomness: SplitMix64 (Steele, Lea, Flood 2014) evaluated
/// at a position, so draw n of a stream is a pure function of (seed, stream, n) with no state to
/// carry across restarts. System.Random is deliberately not used: its algorithm is not part of
/// .NET's compatibility promise, and a change would silently change every recorded history.
/// </summary>
internal static class DeterministicMix
{
    /// <summary>The SplitMix64 increment (2^64 / golden ratio, odd).</summary>
    public const ulong Gamma = 0x9E3779B97F4A7C15UL;

    /// <summary>Independent draw streams, so that (say) the key choice and the delete choice of one change are uncorrelated.</summary>
    public enum Stream : ulong
    {
        Key = 0x6B65795F73747231UL,
        Operation = 0x6F705F7374726D32UL,
        Document = 0x646F635F73747233UL,
        Drop = 0x64726F705F737434UL,
        Duplicate = 0x6475705F73747235UL,
        Reorder = 0x72656F7264657236UL,
    }

    /// <summary>The SplitMix64 output function: a bijective avalanche of 64 bits.</summary>
    public static ulong Finalize(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The base state of one stream for one seed.</summary>
    public static ulong StreamSeed(long seed, Stream stream) => Finalize((ulong)seed ^ (ulong)stream);

    /// <summary>Draw <paramref name="index"/> of the stream whose base state is <paramref name="streamSeed"/>.</summary>
    public static ulong At(ulong streamSeed, ulong index) => Finalize(streamSeed + (index * Gamma));

    /// <summary>Maps 64 random bits to [0, <paramref name="bound"/>) without modulo bias worth measuring (Lemire's multiply-shift).</summary>
    public static ulong Below(ulong bits, ulong bound) => (ulong)(((UInt128)bits * bound) >> 64);

    /// <summary>True with probability <paramref name="perMille"/>/1000.</summary>
    public static bool Chance(ulong bits, int perMille) => perMille > 0 && Below(bits, 1000) < (ulong)perMille;
}
