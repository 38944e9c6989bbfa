using System.Text.Json;
using System.Text.Json.Serialization;

namespace SnapshotService.Sources.Cosmos;

/// <summary>
/// The adapter's position: one cursor per feed range (the SDK's continuation token, opaque to us),
/// the backfill in progress and queued backfill requests, as compact versioned JSON
/// (<c>{"v":1,"m":"lv","r":[{"f":…,"c":…}]}</c>). It is stored with every commit, so resuming from
/// it neither loses nor repeats a change.
/// </summary>
internal sealed class CosmosPosition
{
    /// <summary>The format version; a position of another version is refused with a clear message.</summary>
    public const int CurrentVersion = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
        WriteIndented = false,
    };

    [JsonPropertyName("v")]
    public int Version { get; set; } = CurrentVersion;

    /// <summary>"lv" (LatestVersion) or "av" (AllVersionsAndDeletes): continuations of one mode are not valid in the other.</summary>
    [JsonPropertyName("m")]
    public string Mode { get; set; } = "lv";

    [JsonPropertyName("r")]
    public List<RangeCursor> Ranges { get; set; } = [];

    [JsonPropertyName("b")]
    public BackfillCursor? Backfill { get; set; }

    /// <summary>Backfill requests waiting for the running one (null entry = whole container).</summary>
    [JsonPropertyName("q")]
    public List<List<string>?>? Queued { get; set; }

    public static string ModeCode(CosmosFeedMode mode) => mode == CosmosFeedMode.AllVersionsAndDeletes ? "av" : "lv";

    public SourcePosition ToSourcePosition() => new(JsonSerializer.Serialize(this, Json));

    public CosmosPosition Clone() => Parse(ToSourcePosition().Token, "(clone)");

    /// <summary>Parses a position this adapter wrote; throws <see cref="ArgumentException"/> naming the source otherwise.</summary>
    public static CosmosPosition Parse(string token, string sourceId)
    {
        CosmosPosition? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<CosmosPosition>(token, Json);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"Position '{Shorten(token)}' of Cosmos DB source '{sourceId}' is not a position this adapter wrote: {ex.Message}", nameof(token), ex);
        }
        if (parsed is null || parsed.Version != CurrentVersion)
        {
            throw new ArgumentException($"Position '{Shorten(token)}' of Cosmos DB source '{sourceId}' has format version {parsed?.Version}; this build reads version {CurrentVersion}.", nameof(token));
        }
        if (parsed.Ranges.Count == 0 || parsed.Ranges.Any(r => string.IsNullOrEmpty(r.FeedRange)))
        {
            throw new ArgumentException($"Position '{Shorten(token)}' of Cosmos DB source '{sourceId}' names no feed range.", nameof(token));
        }
        return parsed;
    }

    private static string Shorten(string token) => token.Length <= 120 ? token : token[..120] + "…";
}

/// <summary>Where one feed range's reader is.</summary>
internal sealed class RangeCursor
{
    /// <summary>The feed range as the SDK serialises it (FeedRange.ToJsonString).</summary>
    [JsonPropertyName("f")]
    public string FeedRange { get; set; } = "";

    /// <summary>The SDK's continuation after the last fully emitted page; null before the first read.</summary>
    [JsonPropertyName("c")]
    public string? Continuation { get; set; }

    /// <summary>
    /// Set when a page was emitted only in part (the caller's batch was full): the page is re-read
    /// from <see cref="Continuation"/> and its items up to this LSN are skipped.
    /// </summary>
    [JsonPropertyName("x")]
    public long? SkipThroughLsn { get; set; }

    /// <summary>Where to start when <see cref="Continuation"/> is null: "b" beginning, "n" now, "t:UNIXSECONDS".</summary>
    [JsonPropertyName("s")]
    public string? Start { get; set; }

    /// <summary>
    /// Unix milliseconds (adapter clock) at which a read of this range that started then answered
    /// "nothing newer": everything written before it has been emitted. Drives the consistent cut.
    /// </summary>
    [JsonPropertyName("u")]
    public long CaughtUpAtMs { get; set; }
}

/// <summary>A backfill in progress: a LatestVersion feed from the beginning per range, or point reads of keys.</summary>
internal sealed class BackfillCursor
{
    [JsonPropertyName("k")]
    public List<string>? Keys { get; set; }

    /// <summary>Keys already emitted (keyed backfill).</summary>
    [JsonPropertyName("kd")]
    public int KeysDone { get; set; }

    [JsonPropertyName("r")]
    public List<BackfillRange>? Ranges { get; set; }

    [JsonPropertyName("n")]
    public long Documents { get; set; }
}

/// <summary>One range of a whole-container backfill.</summary>
internal sealed class BackfillRange
{
    [JsonPropertyName("f")]
    public string FeedRange { get; set; } = "";

    [JsonPropertyName("c")]
    public string? Continuation { get; set; }

    [JsonPropertyName("d")]
    public bool Done { get; set; }
}
