using System.Diagnostics;
using System.Globalization;
using System.Text;
using SnapshotService.Hashing;
using SnapshotService.Log;
using SnapshotService.Reconciliation;
using SnapshotService.Simulated;
using SnapshotService.Sources;
using SnapshotService.State;
using SnapshotService.Storage;

namespace SnapshotService.Benchmarks;

/// <summary>
/// A full reconciliation of N documents without drift against a baseline that only scans the same
/// source ranges and hashes every document: the difference is what comparing against the export
/// costs (reading its per-range digests; no exact diff is needed when nothing drifted). Then 1% more
/// changes are captured and an incremental run (changed keys by point reads + a 1/K rotating
/// slice) is timed against a full run at the same head.
/// </summary>
internal sealed class ReconcileBenchmark(BenchArguments args, string scratch)
{
    private const string SourceId = "bench";
    private const int BuildBatch = 5_000;

    /// <summary>K of the incremental runs measured (the default of SnapshotService:Reconciliation:RotationRuns).</summary>
    private static readonly int RotationRuns = new ReconciliationOptions().RotationRuns;

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var loadBefore = MachineInfo.LoadAverage();
        var documents = args.Quick ? 50_000 : args.ReconcileDocuments;
        var changed = documents / 100;
        var options = new SimulatedSourceOptions { Seed = 3, KeySpace = (int)documents, MaxChanges = documents + changed, DocumentBytes = args.DocumentBytes, ChangesPerSecond = 0, DeletePercent = 0 };
        var store = new FileSystemObjectStore(Path.Combine(scratch, "reconcile"));
        await using var source = new SimulatedSource(SourceId, options);

        var build = Stopwatch.StartNew();
        var log = await ExportLog.OpenAsync(store, SourceId, new ExportLogOptions(), cancellationToken);
        await CaptureUpToAsync(source, log, documents, cancellationToken);
        var manifest = await LiveStateCompactor.CompactAsync(store, SourceId, new LiveStateOptions(), cancellationToken);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"reconcile: built and compacted {documents:N0} documents in {build.Elapsed.TotalSeconds:0.0} s ({manifest.Ranges.Count} ranges)"));

        var view = new LiveView(store, SourceId);
        var ranges = (await view.DigestsAtAsync(log.Head.LastSeq, cancellationToken)).Select(r => r.Range).ToList();
        IAsyncEnumerable<SourceDocument> Scan(KeyRange range, CancellationToken ct) => source.ScanAtAsync(documents, range, ct);
        var reconciler = new Reconciler(store, SourceId, source, Scan, view: view);
        var request = new ReconciliationRequest { Seq = log.Head.LastSeq };

        // Warm-up: JIT, the source's cached state and the view's commit cache.
        await ScanAndHashAsync(ranges, Scan, cancellationToken);
        await reconciler.RunAsync(request, null, null, cancellationToken);

        var baseline = new List<double>();
        var full = new List<double>();
        for (var run = 0; run < args.Runs; run++)
        {
            Settle();
            var watch = Stopwatch.StartNew();
            var hashed = await ScanAndHashAsync(ranges, Scan, cancellationToken);
            baseline.Add(watch.Elapsed.TotalSeconds);

            Settle();
            watch.Restart();
            var result = await reconciler.RunAsync(request, null, null, cancellationToken);
            full.Add(watch.Elapsed.TotalSeconds);
            if (!result.IsAligned || hashed != documents)
            {
                throw new InvalidOperationException($"Unexpected run: status {result.Status}, drift {result.Counts.Total}, hashed {hashed}.");
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  run {run + 1}: scan+hash {baseline[^1]:0.000} s, full reconciliation {full[^1]:0.000} s"));
        }
        var incremental = await MeasureIncrementalAsync(store, source, log, documents, changed, cancellationToken);
        return Report(documents, manifest.Ranges.Count, baseline, full, loadBefore) + incremental;
    }

    /// <summary>Collects garbage left by the previous measurement, so no run pays for another's allocations.</summary>
    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>Captures until the log holds the first <paramref name="changes"/> changes of the (fault-free) source.</summary>
    private static async Task CaptureUpToAsync(SimulatedSource source, ExportLog log, long changes, CancellationToken cancellationToken)
    {
        var position = log.Head.Position;
        var consumed = log.Head.LastSeq;
        while (consumed < changes)
        {
            var batch = await source.ReadChangesAsync(position, (int)Math.Min(BuildBatch, changes - consumed), cancellationToken);
            await log.AppendAsync(batch.Changes, batch.PositionAfter, cancellationToken);
            position = batch.PositionAfter;
            consumed += batch.Changes.Count;
        }
    }

    /// <summary>Captures 1% more changes, then times incremental runs (since the aligned seq) against full runs at the new head.</summary>
    private async Task<string> MeasureIncrementalAsync(FileSystemObjectStore store, SimulatedSource source, ExportLog log, long documents, long changed, CancellationToken cancellationToken)
    {
        var aligned = log.Head.LastSeq;
        await CaptureUpToAsync(source, log, documents + changed, cancellationToken);
        await LiveStateCompactor.CompactAsync(store, SourceId, new LiveStateOptions(), cancellationToken);
        var head = log.Head.LastSeq;
        var view = new LiveView(store, SourceId);
        var summaries = await view.DigestsAtAsync(head, cancellationToken);
        IAsyncEnumerable<SourceDocument> Scan(KeyRange range, CancellationToken ct) => source.ScanAtAsync(documents + changed, range, ct);
        var reconciler = new Reconciler(store, SourceId, source, Scan, view: view);

        async Task<ReconciliationResult> IncrementalAsync()
        {
            var dirty = await DirtyKeys.CollectAsync(new ExportLogReader(store, SourceId), aligned, log.Head, new ReconciliationOptions().MaxDirtyKeys, null, cancellationToken)
                ?? throw new InvalidOperationException("More changed keys than MaxDirtyKeys; the benchmark expects point reads.");
            var plan = IncrementalPlanner.Plan([.. summaries.Select(r => r.Range)], [], RotationRuns, cursor: null);
            return await reconciler.RunAsync(new ReconciliationRequest { Seq = head, Mode = ReconciliationMode.Incremental, RangeIndexes = plan.RangeIndexes, DirtyKeys = dirty }, null, null, cancellationToken);
        }

        await IncrementalAsync(); // warm-up
        var full = new List<double>();
        var incremental = new List<double>();
        ReconciliationResult? fullResult = null, incrementalResult = null;
        for (var run = 0; run < args.Runs; run++)
        {
            Settle();
            var watch = Stopwatch.StartNew();
            fullResult = await reconciler.RunAsync(new ReconciliationRequest { Seq = head }, null, null, cancellationToken);
            full.Add(watch.Elapsed.TotalSeconds);
            Settle();
            watch.Restart();
            incrementalResult = await IncrementalAsync();
            incremental.Add(watch.Elapsed.TotalSeconds);
            if (!fullResult.IsAligned || !incrementalResult.IsAligned)
            {
                throw new InvalidOperationException($"Unexpected drift: full {fullResult.Counts.Total}, incremental {incrementalResult.Counts.Total}.");
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  run {run + 1}: full {full[^1]:0.000} s, incremental {incremental[^1]:0.000} s"));
        }
        return IncrementalReport(documents, changed, summaries.Count, full, incremental, fullResult!, incrementalResult!);
    }

    private static string IncrementalReport(long documents, long changed, int ranges, List<double> full, List<double> incremental, ReconciliationResult fullResult, ReconciliationResult incrementalResult)
    {
        var fullMedian = Stats.Median(full);
        var incrementalMedian = Stats.Median(incremental);
        var costRatio = incrementalMedian / fullMedian;
        var readFraction = (double)incrementalResult.SourceDocumentsRead / fullResult.SourceDocumentsRead;
        var sliceDocuments = incrementalResult.SourceDocumentsScanned;
        var bound = ((double)incrementalResult.KeysPointChecked + sliceDocuments) / fullResult.SourceDocumentsScanned;
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine("### Incremental economy");
        text.AppendLine();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"After the runs above, {changed:N0} more changes (1% of the keys' worth, random keys) are captured and compacted; the"));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"export was aligned before them. An incremental run (K = {RotationRuns}) point-reads the {incrementalResult.KeysPointChecked:N0} keys the export changed since"));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"the aligned seq and scans a rotating slice of {incrementalResult.RangesChecked} of {ranges} ranges; it is timed against a full run at the same head, in the same loop."));
        text.AppendLine();
        text.AppendLine("| what | median time | source documents read | runs |");
        text.AppendLine("| --- | ---: | ---: | --- |");
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| full run at the new head | {fullMedian:0.000} s | {fullResult.SourceDocumentsRead:N0} | {string.Join(", ", full.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture)))} |"));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| **incremental run** | {incrementalMedian:0.000} s | {incrementalResult.SourceDocumentsRead:N0} | {string.Join(", ", incremental.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture)))} |"));
        text.AppendLine();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"**incremental / full = {costRatio:0.000}× in time ({costRatio:P1}), {readFraction:P2} of the source documents read** (changed keys + slice = {bound:P2} of the key space)."));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Targets: reads ≤ changed keys + 1/K — {(readFraction <= bound + 1e-9 ? "met" : "NOT met")}; cost ≤ 5% of a full run — {(costRatio <= 0.05 ? "met" : "NOT met")}."));
        return text.ToString();
    }

    private static async Task<long> ScanAndHashAsync(List<KeyRange> ranges, Func<KeyRange, CancellationToken, IAsyncEnumerable<SourceDocument>> scan, CancellationToken cancellationToken)
    {
        long count = 0;
        UInt128 sink = 0;
        foreach (var range in ranges)
        {
            await foreach (var document in scan(range, cancellationToken))
            {
                sink ^= ContentHasher.HashValue(document.Document.Span, ContentHashOptions.Default);
                count++;
            }
        }
        GC.KeepAlive(sink);
        return count;
    }

    private string Report(long documents, int ranges, List<double> baseline, List<double> full, string loadBefore)
    {
        var baseMedian = Stats.Median(baseline);
        var fullMedian = Stats.Median(full);
        var ratio = fullMedian / baseMedian;
        var rate = documents / fullMedian;
        var text = new StringBuilder();
        text.AppendLine("## Reconciliation");
        text.AppendLine();
        text.AppendLine("A full reconciliation (`Reconciler`, read-only) of a simulated source against its export, with no");
        text.AppendLine("drift, timed against a baseline in the same run that scans the same source key ranges and hashes");
        text.AppendLine("every document (canonical XxHash128). The export side costs reading the live-state checkpoint's");
        text.AppendLine("per-range digests; no exact diff runs when the digests agree. The source is the simulated");
        text.AppendLine("generator scanning in memory, so the figures isolate our own cost from a database's read speed.");
        text.AppendLine();
        text.AppendLine($"- Machine: {MachineInfo.Describe()}");
        text.AppendLine($"- Load average (1/5/15 min) before → after: {loadBefore} → {MachineInfo.LoadAverage()}");
        text.AppendLine($"- Command: `{BenchmarkCommand.CommandLine(args)}`");
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"- Inputs: {documents:N0} documents of {args.DocumentBytes} B in {ranges} key ranges; {args.Runs} runs, medians"));
        text.AppendLine($"- Measured: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        text.AppendLine();
        text.AppendLine("| what | median time | documents/s | runs |");
        text.AppendLine("| --- | ---: | ---: | --- |");
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| baseline: scan + hash | {baseMedian:0.000} s | {documents / baseMedian:N0} | {string.Join(", ", baseline.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture)))} |"));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| **full reconciliation** | {fullMedian:0.000} s | {rate:N0} | {string.Join(", ", full.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture)))} |"));
        text.AppendLine();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"**full / baseline = {ratio:0.00}×**. Targets: ≤ 1.5× — {(ratio <= 1.5 ? "met" : "NOT met")}; ≥ 375,000 documents/s — {(rate >= 375_000 ? "met" : "NOT met")}."));
        return text.ToString();
    }
}
