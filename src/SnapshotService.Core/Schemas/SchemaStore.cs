using System.Globalization;
using System.Text.Json;
using SnapshotService.Log;
using SnapshotService.Sources;
using SnapshotService.Storage;

namespace SnapshotService.Schemas;

/// <summary>
/// Saved schemas of one source, <c>schema/{seq}.json</c>: the capture pipeline saves one every
/// few thousand changes (and when it stops); the schema at any seq is the newest saved one at or
/// before it plus the log records after it, so a restart or a snapshot's schema replays a bounded
/// tail instead of the whole log. Repair records are not observed: the schema describes what the
/// source's change stream (capture and backfill) delivered. Saved files are deterministic for their seq, so writing one
/// twice (two silos, a retry) writes the same bytes.
/// </summary>
public sealed class SchemaStore(IObjectStore store, string sourceId)
{
    private const string Folder = "schema/";
    private const string Extension = ".json";
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Saves <paramref name="schema"/> under its <see cref="SourceSchema.ThroughSeq"/>.</summary>
    public async Task SaveAsync(SourceSchema schema, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (schema.ThroughSeq <= 0)
        {
            return;
        }
        await store.PutAsync(KeyOf(schema.ThroughSeq), JsonSerializer.SerializeToUtf8Bytes(schema, Options), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The newest saved schema at or before <paramref name="seq"/>, or <see cref="SourceSchema.Empty"/>.</summary>
    public async Task<SourceSchema> LoadAtOrBeforeAsync(long seq, CancellationToken cancellationToken)
    {
        string? best = null;
        var prefix = StoreKeys.SourceRoot(sourceId) + Folder;
        await foreach (var stored in store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            var name = stored.Key[prefix.Length..];
            if (name.EndsWith(Extension, StringComparison.Ordinal)
                && long.TryParse(name.AsSpan(0, name.Length - Extension.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var savedSeq)
                && savedSeq <= seq)
            {
                best = stored.Key; // listing is in key order and names are zero-padded, so the last match is the newest
            }
        }
        if (best is null)
        {
            return SourceSchema.Empty;
        }
        var bytes = await store.ReadAsync(best, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return SourceSchema.Empty;
        }
        try
        {
            return JsonSerializer.Deserialize<SourceSchema>(bytes, Options) ?? SourceSchema.Empty;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Saved schema '{best}' is not readable: {e.Message}. Delete it; it is rebuilt from the log.", e);
        }
    }

    /// <summary>
    /// The schema at exactly <paramref name="seq"/>: the newest saved one at or before it, then the
    /// log records up to <paramref name="seq"/> (which must be committed).
    /// </summary>
    public async Task<SourceSchema> ComputeAtAsync(long seq, CancellationToken cancellationToken)
    {
        var saved = await LoadAtOrBeforeAsync(seq, cancellationToken).ConfigureAwait(false);
        if (saved.ThroughSeq >= seq)
        {
            return saved;
        }
        var tracker = new SchemaTracker(saved);
        var reader = new ExportLogReader(store, sourceId);
        await foreach (var record in reader.ReadRecordsAsync(saved.ThroughSeq + 1, seq, cancellationToken).ConfigureAwait(false))
        {
            // Repairs are left out, as on the capture path: the schema describes the change stream.
            var observed = record.Operation == ChangeOperation.Upsert && record.Origin != ChangeOrigin.Repair;
            tracker.Observe(record.Seq, record.Key, observed ? record.Document.Span : default);
        }
        return tracker.ToSchema() with { ThroughSeq = seq };
    }

    private string KeyOf(long seq) => StoreKeys.InSource(sourceId, Folder + seq.ToString("D20", CultureInfo.InvariantCulture) + Extension);
}
