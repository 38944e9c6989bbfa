using System.Diagnostics;
using System.Globalization;
using System.Text;
using SnapshotService.Capture;
using SnapshotService.Grains;
using SnapshotService.Hashing;
using SnapshotService.Log;
using SnapshotService.Simulated;
using SnapshotService.State;
using SnapshotService.Storage;
using SnapshotService.Views;
using ZstdSharp;

namespace SnapshotService.Benchmarks;

/// <summary>
/// Materialization of N live keys after an N-change history (every key inserted once) and after a
/// 10×N-change history (then random updates), in JSONL and Parquet, against a baseline in the
/// same run that only reads, checks and decompresses the segments the view needs and compresses
/// and writes the view's JSON lines at the same level.
/// </summary>
internal sealed class MaterializeBenchmark(BenchArguments args, string scratch)
{
    private const string SourceId = "bench";

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var loadBefore = MachineInfo.LoadAverage();
        var keys = args.Quick ? 50_000 : args.MaterializeKeys;
        var histories = new[] { keys, keys * args.HistoryFactor };
        var results = new List<HistoryResult>();
        foreach (var changes in histories)
        {
            results.Add(await MeasureHistoryAsync(keys, changes, cancellationToken));
        }
        return Report(keys, results, loadBefore);
    }

    private async Task<HistoryResult> MeasureHistoryAsync(long keys, long changes, CancellationToken cancellationToken)
    {
        var dir = Path.Combine(scratch, $"materialize-{changes}");
        var store = new FileSystemObjectStore(dir);
        var build = Stopwatch.StartNew();
        await CaptureAsync(store, keys, changes, cancellationToken);
        var captureSeconds = build.Elapsed.TotalSeconds;
        build.Restart();
        // What the source grain does in the background: compact the live state up to the head.
        var state = await LiveStateMaintenance.RunAsync(store, SourceId, new LiveStateMaintenanceOptions(), force: true, cancellationToken)
            ?? throw new InvalidOperationException("Compaction did nothing.");
        var compactSeconds = build.Elapsed.TotalSeconds;
        var head = await new ExportLogReader(store, SourceId).ReadHeadAsync(cancellationToken);
        var segments = await NeededSegmentsAsync(store, head.LastSeq, cancellationToken);
        var allSegments = Directory.EnumerateFiles(Path.Combine(dir, "sources", SourceId, "segments")).Count();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"materialize: {changes:N0} changes captured in {captureSeconds:0.0} s, compacted in {compactSeconds:0.0} s; {state.Count:N0} live keys in {segments.Count:N0} of {allSegments:N0} segments"));

        var result = new HistoryResult(changes, state.Count, segments.Count, allSegments, segments.Sum(s => new FileInfo(s).Length), captureSeconds, compactSeconds);
        var anchorNumber = 0;
        SnapshotAnchor NextAnchor() => new($"m{anchorNumber++}", SourceId, head.LastSeq, null, DateTimeOffset.UtcNow, head.Position, null);

        // Warm-up (JIT, page cache) and the view whose JSON lines the baseline writes.
        var reference = await ViewMaterializer.MaterializeAsync(store, SourceId, NextAnchor(), ViewFormat.Jsonl, null, cancellationToken);
        result.DocumentBytes = reference.DocumentBytes;
        result.Rows = reference.Rows;
        result.Checksum = reference.ContentChecksum;
        var viewDir = Path.Combine(dir, "sources", SourceId, "views", reference.SnapshotId, "jsonl");
        var level = new ViewOptions().CompressionLevel;

        for (var run = 0; run < args.Runs; run++)
        {
            var (read, hash, write) = Baseline(segments, viewDir, level, Path.Combine(scratch, "baseline"));
            result.BaselineRead.Add(read);
            result.BaselineHash.Add(hash);
            result.BaselineWrite.Add(write);
            foreach (var format in new[] { ViewFormat.Jsonl, ViewFormat.Parquet })
            {
                var measured = await MaterializeOnceAsync(store, NextAnchor(), format, cancellationToken);
                if (measured.Manifest.ContentChecksum != result.Checksum || measured.Manifest.Rows != result.Rows)
                {
                    throw new InvalidOperationException($"View checksum {measured.Manifest.ContentChecksum} differs from the first materialization's {result.Checksum}.");
                }
                result.Runs[format].Add(measured);
                DeleteView(dir, measured.Manifest.SnapshotId);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {changes:N0} changes, run {run + 1}, {ViewFormats.Name(format)}: {measured.Seconds:0.000} s, {measured.Manifest.DocumentBytes / 1e6 / measured.Seconds:N0} MB/s, " +
                    $"{measured.CpuSeconds / measured.Seconds:0.00} cores busy, peak working set +{measured.PeakWorkingSetGrowth / 1e6:N0} MB; baseline read {read:0.000} s + hash {hash:0.000} s + write {write:0.000} s"));
            }
        }
        Directory.Delete(dir, recursive: true);
        return result;
    }

    private static async Task CaptureAsync(FileSystemObjectStore store, long keys, long changes, CancellationToken cancellationToken)
    {
        var sourceOptions = new SimulatedSourceOptions
        {
            Seed = 11,
            KeySpace = checked((int)keys),
            MaxChanges = changes,
            DocumentBytes = 1024,
            DeletePercent = 0, // every key stays live, so both histories end with exactly N live keys
            ChangesPerSecond = 0,
        };
        var log = await ExportLog.OpenAsync(store, SourceId, new ExportLogOptions(), cancellationToken);
        await using var source = new EndSignallingSource(new SimulatedSource(SourceId, sourceOptions));
        var pipeline = new CapturePipeline(source, log, new CaptureOptions());
        await using (pipeline)
        {
            pipeline.Start();
            await Task.WhenAny(source.ReachedEnd, pipeline.Completion);
            while (pipeline.Head.LastSeq < changes)
            {
                if (pipeline.Completion.IsCompleted)
                {
                    await pipeline.Completion;
                    throw new InvalidOperationException("Capture stopped before committing every change.");
                }
                await pipeline.FlushAsync(cancellationToken);
            }
            await pipeline.StopAsync(cancellationToken);
        }
    }

    /// <summary>The segment files that hold at least one live document at <paramref name="seq"/>, in log order.</summary>
    private static async Task<List<string>> NeededSegmentsAsync(FileSystemObjectStore store, long seq, CancellationToken cancellationToken)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var entry in new LiveView(store, SourceId).ReadAtAsync(seq, null, cancellationToken))
        {
            names.Add(entry.Segment);
        }
        return [.. names.Select(n => Path.Combine(store.RootDirectory, StoreKeys.InSource(SourceId, n)))];
    }

    private static async Task<Measured> MaterializeOnceAsync(FileSystemObjectStore store, SnapshotAnchor anchor, ViewFormat format, CancellationToken cancellationToken)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var workingSetBefore = process.WorkingSet64;
        var peak = workingSetBefore;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var self = Process.GetCurrentProcess();
            while (!sampling.IsCancellationRequested)
            {
                self.Refresh();
                peak = Math.Max(peak, self.WorkingSet64);
                await Task.Delay(50, CancellationToken.None);
            }
        }, CancellationToken.None);
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var manifest = await ViewMaterializer.MaterializeAsync(store, SourceId, anchor, format, null, cancellationToken);
        var seconds = watch.Elapsed.TotalSeconds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        await sampling.CancelAsync();
        await sampler;
        return new Measured(manifest, seconds, cpu, peak - workingSetBefore);
    }

    /// <summary>
    /// The floor any verified materialization pays, each step on all cores: read, checksum and
    /// decompress every segment the view needs; re-hash every document (canonical XxHash128, as
    /// the view must); compress the view's JSON lines (decompressed from its parts beforehand,
    /// untimed) at the same level and write them to files, fsynced as the store does.
    /// </summary>
    private static (double Read, double Hash, double Write) Baseline(List<string> segments, string viewDir, int level, string outDir)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var watch = Stopwatch.StartNew();
        long sink = 0;
        Parallel.ForEach(segments, path =>
        {
            var compressed = File.ReadAllBytes(path);
            var checksum = ContentHasher.ChecksumHex(compressed);
            var data = SegmentCodec.Decompress(path, compressed);
            Interlocked.Add(ref sink, data.Length + checksum.Length);
        });
        var read = watch.Elapsed.TotalSeconds;

        var parts = Directory.EnumerateFiles(viewDir, "part-*").Order(StringComparer.Ordinal).ToList();
        var lines = new byte[parts.Count][];
        var documents = new List<(int Offset, int Length)>[parts.Count];
        Parallel.For(0, parts.Count, i =>
        {
            using var decompressor = new Decompressor();
            lines[i] = decompressor.Unwrap(File.ReadAllBytes(parts[i])).ToArray();
            documents[i] = DocumentsOf(lines[i]);
        });
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        watch.Restart();
        Parallel.For(0, parts.Count, i =>
        {
            UInt128 xor = 0;
            foreach (var (offset, length) in documents[i])
            {
                xor ^= ContentHasher.HashValue(lines[i].AsSpan(offset, length), ContentHashOptions.Default);
            }
            Interlocked.Add(ref sink, (long)(ulong)xor);
        });
        var hash = watch.Elapsed.TotalSeconds;

        Directory.CreateDirectory(outDir);
        watch.Restart();
        Parallel.For(0, parts.Count, i =>
        {
            using var compressor = new Compressor(level);
            var bytes = compressor.Wrap(lines[i]).ToArray();
            using var file = new FileStream(Path.Combine(outDir, $"part-{i:D5}.jsonl.zst"), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        });
        var write = watch.Elapsed.TotalSeconds;
        GC.KeepAlive(sink);
        Directory.Delete(outDir, recursive: true);
        return (read, hash, write);
    }

    /// <summary>Where each line's document is: from <c>"document":</c> to the line's closing brace (view lines end with the document).</summary>
    private static List<(int Offset, int Length)> DocumentsOf(byte[] lines)
    {
        var result = new List<(int, int)>();
        var marker = "\"document\":"u8;
        var offset = 0;
        while (offset < lines.Length)
        {
            var end = lines.AsSpan(offset).IndexOf((byte)'\n');
            var line = lines.AsSpan(offset, end < 0 ? lines.Length - offset : end);
            var start = line.IndexOf(marker) + marker.Length;
            result.Add((offset + start, line.LastIndexOf((byte)'}') - start));
            offset += line.Length + 1;
        }
        return result;
    }

    private static void DeleteView(string dir, string snapshotId) =>
        Directory.Delete(Path.Combine(dir, "sources", SourceId, "views", snapshotId), recursive: true);

    private string Report(long keys, List<HistoryResult> results, string loadBefore)
    {
        var text = new StringBuilder();
        var cores = Environment.ProcessorCount;
        text.AppendLine("## Materialization");
        text.AppendLine();
        text.AppendLine("`ViewMaterializer.MaterializeAsync` of the anchor at the head of a simulated source's export (1 KB");
        text.AppendLine("documents, no deletes), captured through `CapturePipeline` into `FileSystemObjectStore` and compacted");
        text.AppendLine("as the source grain does (`LiveStateMaintenance.RunAsync(force: true)`), after an N-change history");
        text.AppendLine($"(every key inserted once, in key order) and after a {args.HistoryFactor}×N-change history (then uniformly random");
        text.AppendLine("updates). Timed from the call to the published manifest: plan the live keys, read each segment");
        text.AppendLine("holding a live document once, re-hash every document, assemble key-ordered parts, encode, write");
        text.AppendLine("(fsynced). Baseline, in the same run, each step on all cores: read, checksum and decompress the");
        text.AppendLine("same segments; re-hash every document (the verification a view must do); compress the view's JSON");
        text.AppendLine("lines at the same zstd level and write them, fsynced — no parsing, planning, routing or spilling.");
        text.AppendLine("MB/s counts document JSON; per core divides by the process CPU time (user + system) of the run.");
        text.AppendLine();
        text.AppendLine($"- Machine: {MachineInfo.Describe()}");
        text.AppendLine($"- Load average (1/5/15 min) before → after: {loadBefore} → {MachineInfo.LoadAverage()} (the machine is shared with other work; above ~{cores} the absolute numbers suffer more than the ratios)");
        text.AppendLine($"- Command: `{BenchmarkCommand.CommandLine(args)}`");
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"- Inputs: {keys:N0} keys of 1,024 B; default `ViewOptions` (20,000 rows per part, JSONL zstd level {new ViewOptions().CompressionLevel}, Parquet Snappy pages, {new ViewOptions().MemoryBudgetBytes / (1024 * 1024)} MiB buffer budget, spill to the temp dir); {args.Runs} runs, medians"));
        foreach (var r in results)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"- {r.Changes:N0}-change history: captured in {r.CaptureSeconds:0.0} s, compacted in {r.CompactSeconds:0.0} s; {r.LiveKeys:N0} live keys ({r.DocumentBytes / 1e6:N0} MB of JSON) in {r.NeededSegments:N0} of {r.AllSegments:N0} segments ({r.NeededSegmentBytes / 1e6:N0} MB compressed to read)"));
        }
        text.AppendLine($"- Measured: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        text.AppendLine();
        text.AppendLine("| history | what | median time | MB/s | cores busy | MB/s per core | peak working set growth | runs |");
        text.AppendLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var r in results)
        {
            var mb = r.DocumentBytes / 1e6;
            var baseline = r.BaselineTotal;
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Changes:N0} | baseline: read + decompress segments | {Stats.Median(r.BaselineRead):0.000} s | {mb / Stats.Median(r.BaselineRead):N0} | | | | {Join(r.BaselineRead)} |"));
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Changes:N0} | baseline: re-hash documents | {Stats.Median(r.BaselineHash):0.000} s | {mb / Stats.Median(r.BaselineHash):N0} | | | | {Join(r.BaselineHash)} |"));
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Changes:N0} | baseline: compress + write JSONL | {Stats.Median(r.BaselineWrite):0.000} s | {mb / Stats.Median(r.BaselineWrite):N0} | | | | {Join(r.BaselineWrite)} |"));
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Changes:N0} | baseline: total | {Stats.Median(baseline):0.000} s | {mb / Stats.Median(baseline):N0} | | | | {Join(baseline)} |"));
            foreach (var (format, runs) in r.Runs)
            {
                var seconds = runs.Select(m => m.Seconds).ToList();
                var cpu = Stats.Median(runs.Select(m => m.CpuSeconds));
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {r.Changes:N0} | **materialize {ViewFormats.Name(format)}** | {Stats.Median(seconds):0.000} s | {mb / Stats.Median(seconds):N0} | {cpu / Stats.Median(seconds):0.0} | {mb / cpu:N0} | {Stats.Median(runs.Select(m => (double)m.PeakWorkingSetGrowth)) / 1e6:N0} MB | {Join(seconds)} |"));
            }
        }
        text.AppendLine();
        var small = results[0];
        var large = results[^1];
        foreach (var format in new[] { ViewFormat.Jsonl, ViewFormat.Parquet })
        {
            var smallSeconds = Stats.Median(small.Runs[format].Select(m => m.Seconds));
            var largeSeconds = Stats.Median(large.Runs[format].Select(m => m.Seconds));
            var historyRatio = largeSeconds / smallSeconds;
            var perCore = small.DocumentBytes / 1e6 / Stats.Median(small.Runs[format].Select(m => m.CpuSeconds));
            var perCoreLarge = large.DocumentBytes / 1e6 / Stats.Median(large.Runs[format].Select(m => m.CpuSeconds));
            var baselineRatio = smallSeconds / Stats.Median(small.BaselineTotal);
            var baselineRatioLarge = largeSeconds / Stats.Median(large.BaselineTotal);
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"- **{ViewFormats.Name(format)}**: {large.Changes:N0}-change / {small.Changes:N0}-change history time = **{historyRatio:0.00}×** (target ≤ 1.5× — {(historyRatio <= 1.5 ? "met" : "NOT met")}); " +
                $"**{perCore:N0} MB/s per core** after the {small.Changes:N0}-change history, {perCoreLarge:N0} after the {large.Changes:N0}-change one (target ≥ 100 — {(Math.Min(perCore, perCoreLarge) >= 100 ? "met" : perCore >= 100 ? "met after the short history only" : "NOT met")}); " +
                $"{baselineRatio:0.00}× / {baselineRatioLarge:0.00}× the baseline after the short / long history."));
        }
        text.AppendLine();
        var bytesRatio = ((double)large.NeededSegmentBytes / small.NeededSegmentBytes).ToString("0.0", CultureInfo.InvariantCulture);
        text.AppendLine(
            $"Why the long history costs more: compaction re-packs the live documents of sparse segments into dense packs (`RepackBelowDensity`), so the long history's view reads only {bytesRatio}× the compressed bytes of the short one's ({Mb(large.NeededSegmentBytes)} vs {Mb(small.NeededSegmentBytes)} MB; without re-packing it was 9.3×), " +
            "but its rows still arrive in random key order (packs are in seq order), so nearly every part waits for the last files and its rows pass through spill files, while after the insert-ordered history parts complete one after another. " +
            "Next step: key-ordered packs (one per live-state range), so parts complete as their packs are read. Re-packing costs background compaction time (the \"compacted in\" figures above).");
        text.AppendLine();
        text.AppendLine("Peak working set growth is the process's resident memory, sampled every 50 ms during the run, minus");
        text.AppendLine("its value after a full GC just before; it includes garbage not yet collected, so it overstates what");
        text.AppendLine("the run holds. The designed bound (`ViewOptions`): ~40 B per key of a pass (≤ 2,000,000 keys), plus");
        text.AppendLine("2 × `MemoryBudgetBytes` of buffered rows, plus per core one segment being read and one part being");
        text.AppendLine("encoded (~100 MB at 20,000 rows of 1 KB); everything else waits in spill files.");
        var load = double.TryParse(loadBefore.Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var l) ? l : 0;
        if (load > cores)
        {
            text.AppendLine();
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"**Shared machine:** other work kept the load average at {load:0.0} on {cores} cores during this run, so the process got well under {cores} cores (see \"cores busy\"): wall-clock MB/s and the time ratios are depressed and noisy; MB/s per core (CPU time) suffers less, but contention inflates CPU time too."));
        }
        return text.ToString();
    }

    private static string Mb(long bytes) => (bytes / 1e6).ToString("N0", CultureInfo.InvariantCulture);

    private static string Join(IEnumerable<double> values) => string.Join(", ", values.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture)));

    private sealed record Measured(ViewManifest Manifest, double Seconds, double CpuSeconds, long PeakWorkingSetGrowth);

    private sealed class HistoryResult(long changes, long liveKeys, int neededSegments, int allSegments, long neededSegmentBytes, double captureSeconds, double compactSeconds)
    {
        public long Changes { get; } = changes;

        public long LiveKeys { get; } = liveKeys;

        public int NeededSegments { get; } = neededSegments;

        public int AllSegments { get; } = allSegments;

        public long NeededSegmentBytes { get; } = neededSegmentBytes;

        public double CaptureSeconds { get; } = captureSeconds;

        public double CompactSeconds { get; } = compactSeconds;

        public long DocumentBytes { get; set; }

        public long Rows { get; set; }

        public string Checksum { get; set; } = "";

        public List<double> BaselineRead { get; } = [];

        public List<double> BaselineHash { get; } = [];

        public List<double> BaselineWrite { get; } = [];

        public List<double> BaselineTotal => [.. BaselineRead.Select((r, i) => r + BaselineHash[i] + BaselineWrite[i])];

        public Dictionary<ViewFormat, List<Measured>> Runs { get; } = new() { [ViewFormat.Jsonl] = [], [ViewFormat.Parquet] = [] };
    }
}
