using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MongoDB.Bson;

namespace SnapshotService.Sources.Mongo;

/// <summary>A backfill asked for but not begun yet (queued behind the running one).</summary>
/// <param name="Keys">The keys to backfill (sorted, distinct), or null for the whole collection.</param>
/// <param name="AfterHistoryLoss">True when history loss asked for it (its completion then triggers a full reconciliation).</param>
public sealed record BackfillRequest(IReadOnlyList<string>? Keys, bool AfterHistoryLoss);

/// <summary>
/// A running backfill, as far as committed: chunks before <see cref="NextKey"/> (whole collection)
/// or keys before <see cref="NextIndex"/> (keyed) are in the log. A restart re-reads only the chunk
/// that was in flight.
/// </summary>
/// <param name="Number">The backfill's running number in this source (1, 2, …), for messages.</param>
/// <param name="AfterHistoryLoss">True when started because history was lost.</param>
/// <param name="Keys">The keys of a keyed backfill (sorted, distinct), or null for the whole collection.</param>
/// <param name="NextKey">Whole collection: the inclusive key the next chunk starts at (null: the beginning).</param>
/// <param name="NextIndex">Keyed: the index in <see cref="Keys"/> the next chunk starts at.</param>
/// <param name="Chunks">Chunks completed.</param>
/// <param name="Documents">Rows emitted (documents, plus deletes of absent keys in a keyed backfill).</param>
public sealed record BackfillProgress(long Number, bool AfterHistoryLoss, IReadOnlyList<string>? Keys, string? NextKey, int NextIndex, long Chunks, long Documents)
{
    /// <summary>A one-line summary for GetSource.</summary>
    public string Summary()
    {
        var kind = AfterHistoryLoss ? "re-backfill after history loss" : Keys is null ? "backfill" : "keyed backfill";
        var where = Keys is null
            ? NextKey is null ? "from the first key" : $"next chunk from key '{Shorten(NextKey)}'"
            : $"{NextIndex:N0} of {Keys.Count:N0} keys";
        return string.Create(CultureInfo.InvariantCulture, $"{kind} #{Number}: {Chunks:N0} chunks, {Documents:N0} documents, {where}");
    }

    private static string Shorten(string key) => key.Length <= 40 ? key : key[..37] + "...";
}

/// <summary>
/// What a MongoDB source position holds: where the change stream resumes, plus the backfill state,
/// so both become durable in the same commit as the changes they cover.
/// </summary>
/// <remarks>
/// Token format (version 1), compact JSON: <c>{"v":1,"rt":{resume token as canonical Extended JSON},
/// "at":operationTime,"st":streamTime,"bn":lastBackfillNumber,"bf":{…},"q":[…]}</c>. <c>rt</c> is the
/// last emitted event's token or the postBatchResumeToken; <c>at</c> (a version) is used only
/// before the stream produced a token (<c>startAtOperationTime</c>). <c>st</c> is the cluster time
/// of the stream at that point, kept for the summary and the headroom estimate. Readers refuse
/// other versions with a message instead of guessing.
/// </remarks>
/// <param name="ResumeToken">The resume token (null before the stream produced one).</param>
/// <param name="StartAtOperationTime">Where to open the stream when there is no token yet (a version), or null.</param>
/// <param name="StreamTime">The stream's cluster time at this position (a version), or null when unknown.</param>
/// <param name="BackfillsStarted">How many backfills this source began (numbers the next one).</param>
/// <param name="Backfill">The running backfill, or null.</param>
/// <param name="Queued">Backfills asked for behind the running one.</param>
public sealed record MongoPosition(
    BsonDocument? ResumeToken,
    long? StartAtOperationTime,
    long? StreamTime,
    long BackfillsStarted,
    BackfillProgress? Backfill,
    IReadOnlyList<BackfillRequest> Queued)
{
    /// <summary>The token prefix: a position from another adapter is refused by name.</summary>
    public const int FormatVersion = 1;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Nothing read yet.</summary>
    public static MongoPosition Empty { get; } = new(null, null, null, 0, null, []);

    /// <summary>True when the stream has somewhere to resume from.</summary>
    public bool HasStreamPoint => ResumeToken is not null || StartAtOperationTime is not null;

    /// <summary>Parses a position this adapter wrote; <see cref="SourcePosition.Start"/> gives <see cref="Empty"/>. Throws <see cref="FormatException"/> otherwise.</summary>
    public static MongoPosition Parse(SourcePosition position)
    {
        if (position.IsStart)
        {
            return Empty;
        }
        try
        {
            using var json = JsonDocument.Parse(position.Token);
            var root = json.RootElement;
            if (!root.TryGetProperty("v", out var v) || v.GetInt32() != FormatVersion)
            {
                throw new FormatException($"position format {(root.TryGetProperty("v", out var w) ? w.ToString() : "(none)")} is not MongoDB position format {FormatVersion}");
            }
            var token = root.TryGetProperty("rt", out var rt) ? BsonDocument.Parse(rt.GetRawText()) : null;
            var backfill = root.TryGetProperty("bf", out var bf) ? ReadProgress(bf) : null;
            var queued = root.TryGetProperty("q", out var q) ? q.EnumerateArray().Select(ReadRequest).ToList() : [];
            return new MongoPosition(token, OptionalLong(root, "at"), OptionalLong(root, "st"), OptionalLong(root, "bn") ?? 0, backfill, queued);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or BsonException)
        {
            throw new FormatException($"'{position.Token}' is not a MongoDB source position: {ex.Message}", ex);
        }
    }

    /// <summary>The position as a <see cref="SourcePosition"/> token.</summary>
    public SourcePosition ToSourcePosition()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteNumber("v", FormatVersion);
            if (ResumeToken is not null)
            {
                w.WritePropertyName("rt");
                w.WriteRawValue(MongoJson.ToJsonBytes(ResumeToken), skipInputValidation: true);
            }
            if (StartAtOperationTime is { } at)
            {
                w.WriteNumber("at", at);
            }
            if (StreamTime is { } st)
            {
                w.WriteNumber("st", st);
            }
            if (BackfillsStarted > 0)
            {
                w.WriteNumber("bn", BackfillsStarted);
            }
            if (Backfill is { } b)
            {
                w.WritePropertyName("bf");
                w.WriteStartObject();
                w.WriteNumber("n", b.Number);
                if (b.AfterHistoryLoss)
                {
                    w.WriteBoolean("hl", true);
                }
                WriteKeys(w, b.Keys);
                if (b.NextKey is not null)
                {
                    w.WriteString("from", b.NextKey);
                }
                if (b.NextIndex > 0)
                {
                    w.WriteNumber("i", b.NextIndex);
                }
                w.WriteNumber("c", b.Chunks);
                w.WriteNumber("d", b.Documents);
                w.WriteEndObject();
            }
            if (Queued.Count > 0)
            {
                w.WriteStartArray("q");
                foreach (var request in Queued)
                {
                    w.WriteStartObject();
                    if (request.AfterHistoryLoss)
                    {
                        w.WriteBoolean("hl", true);
                    }
                    WriteKeys(w, request.Keys);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        return new SourcePosition(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    /// <summary>A readable one-line summary: where the stream resumes and what the backfill is doing.</summary>
    public string Summary()
    {
        var stream = StreamTime is { } st ? $"stream at {ClusterTime.Show(st)}"
            : StartAtOperationTime is { } at ? $"stream starts at {ClusterTime.Show(at)}"
            : ResumeToken is not null ? "stream at a resume token" : "stream not started";
        var backfill = Backfill is { } b ? "; " + b.Summary() : "";
        var queued = Queued.Count > 0 ? $"; {Queued.Count} backfill(s) queued" : "";
        return stream + backfill + queued;
    }

    /// <summary>Summarizes a position token, or says why it cannot.</summary>
    public static string Summarize(SourcePosition position)
    {
        try
        {
            return Parse(position).Summary();
        }
        catch (FormatException ex)
        {
            return ex.Message;
        }
    }

    private static void WriteKeys(Utf8JsonWriter w, IReadOnlyList<string>? keys)
    {
        if (keys is null)
        {
            return;
        }
        w.WriteStartArray("k");
        foreach (var key in keys)
        {
            w.WriteStringValue(key);
        }
        w.WriteEndArray();
    }

    private static IReadOnlyList<string>? ReadKeys(JsonElement e) =>
        e.TryGetProperty("k", out var k) ? k.EnumerateArray().Select(x => x.GetString() ?? throw new FormatException("a backfill key is null")).ToList() : null;

    private static BackfillProgress ReadProgress(JsonElement e) => new(
        e.GetProperty("n").GetInt64(),
        e.TryGetProperty("hl", out var hl) && hl.GetBoolean(),
        ReadKeys(e),
        e.TryGetProperty("from", out var from) ? from.GetString() : null,
        e.TryGetProperty("i", out var i) ? i.GetInt32() : 0,
        e.GetProperty("c").GetInt64(),
        e.GetProperty("d").GetInt64());

    private static BackfillRequest ReadRequest(JsonElement e) => new(ReadKeys(e), e.TryGetProperty("hl", out var hl) && hl.GetBoolean());

    private static long? OptionalLong(JsonElement root, string name) => root.TryGetProperty(name, out var p) ? p.GetInt64() : null;
}
