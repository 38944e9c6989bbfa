using System.Text;
using System.Text.Json.Nodes;
using SnapshotService.Hashing;
using SnapshotService.Log;
using SnapshotService.Storage;
using ZstdSharp;

namespace SnapshotService.Core.Tests.Repair;

/// <summary>
/// Changes a committed segment the way a buggy writer or a careless hand would, keeping the file
/// readable: the segment is recompressed and its commit record's size and checksum are updated,
/// so only reconciliation (and, for a removed record, verify-log's gap check) can tell.
/// </summary>
internal static class ExportTamper
{
    /// <summary>Replaces the document of the record at <paramref name="seq"/> (an upsert) with <paramref name="document"/>, recording its true content hash.</summary>
    public static Task ChangeDocumentAsync(IObjectStore store, string sourceId, long seq, string document) =>
        RewriteAsync(store, sourceId, seq, line =>
        {
            var node = JsonNode.Parse(line)!.AsObject();
            node["document"] = JsonNode.Parse(document);
            node["content_hash"] = ContentHasher.Hash(Encoding.UTF8.GetBytes(document), ContentHashOptions.Default);
            return node.ToJsonString();
        });

    /// <summary>Removes the record at <paramref name="seq"/> from its segment (leaving a seq gap).</summary>
    public static Task RemoveRecordAsync(IObjectStore store, string sourceId, long seq) =>
        RewriteAsync(store, sourceId, seq, _ => null);

    private static async Task RewriteAsync(IObjectStore store, string sourceId, long seq, Func<string, string?> edit)
    {
        var reader = new ExportLogReader(store, sourceId);
        var head = await reader.ReadHeadAsync(default);
        var commit = await reader.FindCommitContainingSeqAsync(seq, head, default) ?? throw new ArgumentOutOfRangeException(nameof(seq));
        var segment = commit.Segments.Single(s => s.FirstSeq <= seq && seq <= s.LastSeq);
        var data = await reader.ReadSegmentAsync(commit, segment, default);
        var lines = Encoding.UTF8.GetString(data).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        var index = (int)(seq - segment.FirstSeq);
        var edited = edit(lines[index]);
        if (edited is null)
        {
            lines.RemoveAt(index);
        }
        else
        {
            lines[index] = edited;
        }
        var text = Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");
        using var compressor = new Compressor(1);
        var compressed = compressor.Wrap(text).ToArray();
        await store.PutAsync(StoreKeys.InSource(sourceId, segment.Name), compressed, default);
        var updated = segment with { Bytes = compressed.Length, Checksum = ContentHasher.ChecksumHex(compressed) };
        var rewritten = commit with { Segments = [.. commit.Segments.Select(s => s == segment ? updated : s)] };
        await store.PutAsync(StoreKeys.Commit(sourceId, commit.Number), LogJson.EncodeCommit(sourceId, rewritten), default);
    }
}
