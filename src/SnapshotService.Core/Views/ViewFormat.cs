namespace SnapshotService.Views;

/// <summary>The file format of a materialized view.</summary>
public enum ViewFormat
{
    /// <summary>Newline-delimited JSON, zstd-compressed: <c>part-00000.jsonl.zst</c>.</summary>
    Jsonl,

    /// <summary>Apache Parquet (Snappy pages): <c>part-00000.parquet</c>.</summary>
    Parquet,
}

/// <summary>Spellings of <see cref="ViewFormat"/> in keys and manifests.</summary>
public static class ViewFormats
{
    /// <summary>The folder and manifest name of a format: <c>jsonl</c> or <c>parquet</c>.</summary>
    public static string Name(ViewFormat format) => format switch
    {
        ViewFormat.Jsonl => "jsonl",
        ViewFormat.Parquet => "parquet",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown view format; use jsonl or parquet."),
    };

    /// <summary>The part file extension of a format.</summary>
    public static string PartExtension(ViewFormat format) => format switch
    {
        ViewFormat.Jsonl => ".jsonl.zst",
        ViewFormat.Parquet => ".parquet",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown view format; use jsonl or parquet."),
    };

    /// <summary>Parses <c>jsonl</c> or <c>parquet</c> (case-insensitive); null otherwise.</summary>
    public static ViewFormat? TryParse(string? name) => name?.ToLowerInvariant() switch
    {
        "jsonl" => ViewFormat.Jsonl,
        "parquet" => ViewFormat.Parquet,
        _ => null,
    };
}
