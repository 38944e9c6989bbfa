using System.Buffers;
using SnapshotService.Hashing;
using SnapshotService.Storage;

namespace SnapshotService.State;

/// <summary>A pack file written by <see cref="PackWriter"/>: its name and the seqs of its lines, ascending.</summary>
internal sealed record WrittenPack(string Name, long[] Seqs);

/// <summary>
/// Collects verbatim segment lines into pack files of about <see cref="LiveStateOptions.PackTargetBytes"/>.
/// Lines are sorted by seq within a pack (views walk a file's lines in seq order), and a pack is
/// content-addressed and created put-if-absent, so a crashed or repeated re-pack writes the same
/// bytes under the same name and never changes a file a manifest already names.
/// </summary>
internal sealed class PackWriter(IObjectStore store, string sourceId, LiveStateOptions options)
{
    private readonly ArrayBufferWriter<byte> _lines = new(options.PackTargetBytes + (options.PackTargetBytes / 8));
    private readonly List<(long Seq, int Offset, int Length)> _index = [];

    /// <summary>Adds one line (without its newline). Returns true when the pack is full and should be flushed.</summary>
    public bool Add(long seq, ReadOnlySpan<byte> line)
    {
        _index.Add((seq, _lines.WrittenCount, line.Length));
        _lines.Write(line);
        return _lines.WrittenCount >= options.PackTargetBytes;
    }

    /// <summary>Writes the collected lines as one pack, or returns null when there are none.</summary>
    public async Task<WrittenPack?> FlushAsync(CancellationToken cancellationToken)
    {
        if (_index.Count == 0)
        {
            return null;
        }
        _index.Sort(static (a, b) => a.Seq.CompareTo(b.Seq));
        var sorted = new byte[_lines.WrittenCount + _index.Count];
        var at = 0;
        var seqs = new long[_index.Count];
        for (var i = 0; i < _index.Count; i++)
        {
            var (seq, offset, length) = _index[i];
            seqs[i] = seq;
            _lines.WrittenSpan.Slice(offset, length).CopyTo(sorted.AsSpan(at));
            at += length;
            sorted[at++] = (byte)'\n';
        }
        var compressed = Compression.Zstd.Compress(sorted, options.CompressionLevel);
        var checksum = ContentHasher.ChecksumHex(compressed);
        var name = StoreKeys.StatePackName(seqs[0], checksum);
        var key = StoreKeys.InSource(sourceId, name);
        if (!await store.PutIfAbsentAsync(key, compressed, cancellationToken).ConfigureAwait(false))
        {
            // Content-addressed: an earlier (crashed or racing) run wrote the same bytes. Check, don't trust.
            var existing = await store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
            if (existing is null || !string.Equals(ContentHasher.ChecksumHex(existing), checksum, StringComparison.Ordinal))
            {
                throw new IOException($"Pack '{key}' exists with different content; refusing to reference it.");
            }
        }
        _index.Clear();
        _lines.Clear();
        return new WrittenPack(name, seqs);
    }
}
