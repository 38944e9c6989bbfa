namespace SnapshotService.Sources;

/// <summary>A document as it currently is at the source, read by a range scan.</summary>
/// <param name="Key">The document key.</param>
/// <param name="PartitionKey">The partition key, or null.</param>
/// <param name="SourceVersion">The version the scan read (see <see cref="SourceChange.SourceVersion"/>).</param>
/// <param name="Document">The full document as UTF-8 JSON.</param>
public sealed record SourceDocument(string Key, string? PartitionKey, long SourceVersion, ReadOnlyMemory<byte> Document);

/// <summary>
/// A range of keys in the source's scan order (ordinal string order), start inclusive, end
/// exclusive; null bounds are open.
/// </summary>
/// <param name="StartInclusive">The first key in the range, or null for the beginning.</param>
/// <param name="EndExclusive">The first key after the range, or null for the end.</param>
[GenerateSerializer, Immutable]
[Alias("SnapshotService.KeyRange")]
public readonly record struct KeyRange([property: Id(0)] string? StartInclusive, [property: Id(1)] string? EndExclusive)
{
    /// <summary>Every key.</summary>
    public static KeyRange All { get; } = new(null, null);

    /// <summary>True when <paramref name="key"/> falls in the range (ordinal comparison).</summary>
    public bool Contains(string key) =>
        (StartInclusive is null || string.CompareOrdinal(key, StartInclusive) >= 0) &&
        (EndExclusive is null || string.CompareOrdinal(key, EndExclusive) < 0);

    /// <summary>True when the two ranges share at least one possible key.</summary>
    public bool Overlaps(KeyRange other) =>
        (EndExclusive is null || other.StartInclusive is null || string.CompareOrdinal(other.StartInclusive, EndExclusive) < 0) &&
        (other.EndExclusive is null || StartInclusive is null || string.CompareOrdinal(StartInclusive, other.EndExclusive) < 0);
}

/// <summary>The source's newest position and the source time of its newest change.</summary>
/// <param name="Position">The newest position a reader could resume from.</param>
/// <param name="SourceTime">The source time of the newest change, or null when the source is empty.</param>
public sealed record SourceWatermark(SourcePosition Position, DateTimeOffset? SourceTime);

/// <summary>What a source is, for status pages and logs.</summary>
/// <param name="SourceId">The validated source id.</param>
/// <param name="Kind">"simulated", "mongodb" or "cosmosdb".</param>
/// <param name="Description">One line a user can read, e.g. the simulated generator's settings.</param>
public sealed record SourceDescriptor(string SourceId, string Kind, string Description);
