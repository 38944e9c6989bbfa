using System.Globalization;
using SnapshotService.Log;
using SnapshotService.Sources;
using SnapshotService.Storage;

namespace SnapshotService.State;

/// <summary>
/// Re-packs sparse files during compaction so that materializing a view costs about its live data,
/// however long the history: the live lines of files whose density fell below
/// <see cref="LiveStateOptions.RepackBelowDensity"/> are copied, byte for byte, into dense pack
/// files (<c>state/packs/</c>), and the entries are pointed at them.
/// </summary>
/// <remarks>
/// <para>Why: after random updates nearly every old segment keeps a few live documents, and a view
/// must decompress a whole segment for each of them (measured: 9× the live bytes after a
/// 10×-history). Re-packing bounds that to 1/RepackBelowDensity.</para>
/// <para>Safety: lines are copied verbatim (same seq, hash and document), so a view's rows and
/// checksum do not change; log segments are never modified (outside readers keep reading them);
/// pack files are content-addressed and referenced only by the manifest written after them, so a
/// crash leaves the previous manifest in force and at most unreferenced packs for the garbage
/// collector. Every copied seq must be found, or compaction fails without writing a manifest.</para>
/// <para>Cost: one pass over the entries (metadata), one read of each sparse file, the pack
/// writes, and rewriting the range files whose entries moved. Batched by
/// <see cref="LiveStateOptions.RepackMinLines"/> so that the pass over the entries is amortised.</para>
/// </remarks>
internal static class SegmentRepacker
{
    public static async Task<(List<LiveStateRange> Ranges, List<LiveFileStats> Files)> RepackIfSparseAsync(
        IObjectStore store, ExportLogReader log, long commitNumber, List<LiveStateRange> ranges, List<LiveFileStats> files, LiveStateOptions options, CancellationToken cancellationToken)
    {
        var sparse = files.Where(f => f.Density < options.RepackBelowDensity).ToList();
        if (sparse.Count == 0 || sparse.Sum(f => f.Lines) < options.RepackMinLines)
        {
            return (ranges, files);
        }
        var sourceId = log.SourceId;
        var state = new LiveStateReader(store, sourceId);
        var current = new LiveStateManifest(sourceId, commitNumber, 0, SourcePosition.Start, default, ranges);
        var (wanted, touchedRanges) = await FindSparseEntriesAsync(state, current, [.. sparse.Select(f => f.Name)], cancellationToken).ConfigureAwait(false);
        var (moved, packs) = await CopyLinesAsync(store, log, wanted, options, cancellationToken).ConfigureAwait(false);

        var rewritten = new List<LiveStateRange>(ranges);
        foreach (var index in touchedRanges)
        {
            var entries = new List<LiveEntry>(checked((int)ranges[index].Digest.Count));
            await foreach (var entry in state.ReadRangeAsync(current, index, cancellationToken).ConfigureAwait(false))
            {
                entries.Add(moved.TryGetValue(entry.Seq, out var pack) ? entry with { Segment = pack } : entry);
            }
            var output = new List<LiveStateRange>(1);
            // Same entries (only their file changed), so the range stays within its maximum: one file.
            await LiveStateCompactor.WriteSplitAsync(store, sourceId, commitNumber, ranges[index].StartKey, entries, 0, entries.Count, options, output, cancellationToken).ConfigureAwait(false);
            rewritten[index] = output.Single();
        }
        var sparseNames = sparse.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var stats = files.Where(f => !sparseNames.Contains(f.Name)).Concat(packs.Select(p => new LiveFileStats(p.Name, p.Seqs.Length, p.Seqs.Length))).ToList();
        stats.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return (rewritten, stats);
    }

    /// <summary>The seqs (ascending) the entries place in each sparse file, and the ranges holding them.</summary>
    private static async Task<(Dictionary<string, List<long>> Wanted, List<int> TouchedRanges)> FindSparseEntriesAsync(
        LiveStateReader state, LiveStateManifest current, HashSet<string> sparse, CancellationToken cancellationToken)
    {
        var wanted = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        var touched = new List<int>();
        for (var i = 0; i < current.Ranges.Count; i++)
        {
            var any = false;
            await foreach (var entry in state.ReadRangeAsync(current, i, cancellationToken).ConfigureAwait(false))
            {
                if (sparse.Contains(entry.Segment))
                {
                    if (!wanted.TryGetValue(entry.Segment, out var seqs))
                    {
                        wanted[entry.Segment] = seqs = [];
                    }
                    seqs.Add(entry.Seq);
                    any = true;
                }
            }
            if (any)
            {
                touched.Add(i);
            }
        }
        foreach (var seqs in wanted.Values)
        {
            seqs.Sort();
        }
        return (wanted, touched);
    }

    /// <summary>Copies the wanted lines into packs, reading each file once (the next one is read ahead while this one is scanned).</summary>
    private static async Task<(Dictionary<long, string> Moved, List<WrittenPack> Packs)> CopyLinesAsync(
        IObjectStore store, ExportLogReader log, Dictionary<string, List<long>> wanted, LiveStateOptions options, CancellationToken cancellationToken)
    {
        var head = await log.ReadHeadAsync(cancellationToken).ConfigureAwait(false);
        var order = wanted.OrderBy(w => w.Value[0]).ToList();
        var moved = new Dictionary<long, string>(order.Sum(w => w.Value.Count));
        var packs = new List<WrittenPack>();
        var writer = new PackWriter(store, log.SourceId, options);
        Task<byte[]> ReadAheadAsync(int i) => Task.Run(() => LiveFileReader.ReadAsync(log, head, order[i].Key, order[i].Value[0], cancellationToken), cancellationToken);
        var next = order.Count > 0 ? ReadAheadAsync(0) : null;
        for (var i = 0; i < order.Count; i++)
        {
            var data = await next!.ConfigureAwait(false);
            next = i + 1 < order.Count ? ReadAheadAsync(i + 1) : null;
            var (name, seqs) = order[i];
            var found = 0;
            foreach (var (index, _, line) in LiveFileLines.Find(name, data, i => seqs[i], seqs.Count))
            {
                found++;
                if (writer.Add(seqs[index], line.Span))
                {
                    Record(await writer.FlushAsync(cancellationToken).ConfigureAwait(false));
                }
            }
            if (found != seqs.Count)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"Source '{log.SourceId}': file '{name}' lacks seq {seqs[found]}, which the live state places in it. The live state or the file is damaged; nothing was re-packed."));
            }
        }
        Record(await writer.FlushAsync(cancellationToken).ConfigureAwait(false));
        return (moved, packs);

        void Record(WrittenPack? pack)
        {
            if (pack is null)
            {
                return;
            }
            packs.Add(pack);
            foreach (var seq in pack.Seqs)
            {
                moved[seq] = pack.Name;
            }
        }
    }
}
