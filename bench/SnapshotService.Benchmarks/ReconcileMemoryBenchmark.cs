using System.Diagnostics;
using System.Globalization;
using System.Text;
using SnapshotService.Log;
using SnapshotService.Reconciliation;
using SnapshotService.Simulated;
using SnapshotService.Sources;
using SnapshotService.State;
using SnapshotService.Storage;

namespace SnapshotService.Benchmarks;

/// <summary>
/// Peak resident memory of a full reconciliation at two collection sizes (default 1M and 5M
/// documents). Each size is built by one child process and reconciled by a fresh one, so the
/// build's memory never counts; the reconciling child resets its peak (Linux <c>clear_refs</c>)
/// once the simulated source's own state is allocated, then reports <c>VmHWM</c> after the run.
/// </summary>
internal sealed class ReconcileMemoryBenchmark(BenchArguments args, string scratch)
{
    private const string SourceId = "bench";
    private const string PeakPrefix = "peak_rss_bytes=";

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var loadBefore = MachineInfo.LoadAverage();
        var sizes = args.Quick ? [50_000L, 250_000L] : args.MemorySizes;
        var rows = new List<(long Documents, long BaselineBytes, long PeakBytes, double Seconds, long LiveBytes)>();
        foreach (var documents in sizes)
        {
            var directory = Path.Combine(scratch, $"memory-{documents}");
            await RunChildAsync("build", documents, directory, cancellationToken);
            var output = await RunChildAsync("reconcile", documents, directory, cancellationToken);
            var fields = output.Split('\n').Single(l => l.StartsWith(PeakPrefix, StringComparison.Ordinal))[PeakPrefix.Length..].Split(' ');
            rows.Add((documents, long.Parse(fields[1], CultureInfo.InvariantCulture), long.Parse(fields[0], CultureInfo.InvariantCulture), double.Parse(fields[2], CultureInfo.InvariantCulture), long.Parse(fields[3], CultureInfo.InvariantCulture)));
            Directory.Delete(directory, recursive: true);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {documents:N0} documents: peak RSS {rows[^1].PeakBytes / 1048576.0:0} MiB (at start of run {rows[^1].BaselineBytes / 1048576.0:0} MiB), {rows[^1].Seconds:0.0} s"));
        }
        return Report(rows, loadBefore);
    }

    /// <summary>The child side: <c>reconcile-child build|reconcile --documents N --data DIR</c>.</summary>
    public static async Task<int> RunChildAsync(string phase, long documents, string directory, int documentBytes)
    {
        var options = new SimulatedSourceOptions { Seed = 5, KeySpace = (int)documents, MaxChanges = documents, DocumentBytes = documentBytes, ChangesPerSecond = 0, DeletePercent = 0 };
        var store = new FileSystemObjectStore(directory);
        await using var source = new SimulatedSource(SourceId, options);
        if (phase == "build")
        {
            var log = await ExportLog.OpenAsync(store, SourceId, new ExportLogOptions(), default);
            var position = SourcePosition.Start;
            while (!source.IsAtEnd(position))
            {
                var batch = await source.ReadChangesAsync(position, 5_000, default);
                await log.AppendAsync(batch.Changes, batch.PositionAfter, default);
                position = batch.PositionAfter;
            }
            await LiveStateCompactor.CompactAsync(store, SourceId, new LiveStateOptions(), default);
            return 0;
        }
        var head = await new ExportLogReader(store, SourceId).ReadHeadAsync(default);
        // Allocate the simulator's own state (8 bytes per key: it stands in for the database) before the peak is reset.
        await foreach (var _ in source.ScanAtAsync(documents, new KeyRange("~", null), default))
        {
        }
        GC.Collect();
        ResetPeak();
        var baseline = ReadStatus("VmRSS:");
        var watch = Stopwatch.StartNew();
        var result = await new Reconciler(store, SourceId, source, (range, ct) => source.ScanAtAsync(documents, range, ct))
            .RunAsync(new ReconciliationRequest { Seq = head.LastSeq }, null, null, default);
        if (!result.IsAligned || result.SourceDocumentsScanned != documents)
        {
            throw new InvalidOperationException($"Unexpected run: {result.Status}, drift {result.Counts.Total}, scanned {result.SourceDocumentsScanned}.");
        }
        var peak = ReadStatus("VmHWM:");
        var elapsed = watch.Elapsed.TotalSeconds;

        // A second run samples what the run keeps alive (a full collection every few ranges): RSS
        // above is what the GC chose to keep committed, this is what reconciling actually holds.
        var liveBefore = GC.GetTotalMemory(forceFullCollection: true);
        var sampler = new LiveHeapSampler();
        await new Reconciler(store, SourceId, source, (range, ct) => source.ScanAtAsync(documents, range, ct))
            .RunAsync(new ReconciliationRequest { Seq = head.LastSeq }, null, sampler, default);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{PeakPrefix}{peak} {baseline} {elapsed} {sampler.MaxLiveBytes - liveBefore}"));
        return 0;
    }

    private async Task<string> RunChildAsync(string phase, long documents, string directory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ReconcileMemoryBenchmark).Assembly.Location);
        }
        foreach (var argument in new[] { "reconcile-child", phase, "--documents", documents.ToString(CultureInfo.InvariantCulture), "--data", directory, "--doc-bytes", args.DocumentBytes.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }
        using var child = Process.Start(start) ?? throw new InvalidOperationException("Could not start the child process.");
        var output = await child.StandardOutput.ReadToEndAsync(cancellationToken);
        await child.WaitForExitAsync(cancellationToken);
        return child.ExitCode == 0 ? output : throw new InvalidOperationException($"The {phase} child for {documents} documents exited with {child.ExitCode}: {output}");
    }

    /// <summary>Resets VmHWM to the current RSS (Linux 4.0+), so the peak covers only what follows.</summary>
    private static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

    private static long ReadStatus(string field)
    {
        var line = File.ReadLines("/proc/self/status").Single(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    private string Report(List<(long Documents, long BaselineBytes, long PeakBytes, double Seconds, long LiveBytes)> rows, string loadBefore)
    {
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine("### Peak memory of a full run");
        text.AppendLine();
        text.AppendLine("Each size is built by one child process and reconciled (full run, no drift) by a fresh one; the");
        text.AppendLine("reconciling process resets its peak RSS after the simulated source has allocated its own state");
        text.AppendLine("(8 B per key — it stands in for the database), so the peak is what reconciling costs.");
        text.AppendLine();
        text.AppendLine($"- Command: `{BenchmarkCommand.CommandLine(args)}`; load average before → after: {loadBefore} → {MachineInfo.LoadAverage()}");
        text.AppendLine();
        text.AppendLine("A second run in the same process samples the managed heap the run keeps alive (a full");
        text.AppendLine("collection after every 8th range): RSS is what the GC chose to keep committed, the live heap is");
        text.AppendLine("what reconciling actually holds.");
        text.AppendLine();
        text.AppendLine("| documents | RSS at start of run | peak RSS during run | RSS growth | peak live heap growth | run time |");
        text.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (documents, baseline, peak, seconds, live) in rows)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {documents:N0} | {baseline / 1048576.0:0} MiB | {peak / 1048576.0:0} MiB | {(peak - baseline) / 1048576.0:0} MiB | {live / 1024.0:N0} KiB | {seconds:0.0} s |"));
        }
        var first = rows[0];
        var last = rows[^1];
        var growthRatio = (double)(last.PeakBytes - last.BaselineBytes) / Math.Max(1, first.PeakBytes - first.BaselineBytes);
        text.AppendLine();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"For {(double)last.Documents / first.Documents:0}× the documents: **RSS growth {growthRatio:0.00}×**; the live heap a run holds stays under {Math.Max(first.LiveBytes, last.LiveBytes) / 1024.0:N0} KiB at both sizes. Target: flat (memory bounded by range size, not collection size) — {(growthRatio <= 1.5 ? "met" : "NOT met")}."));
        return text.ToString();
    }
}

/// <summary>Samples the live managed heap (after a full collection) every 8th range of a run.</summary>
internal sealed class LiveHeapSampler : IProgress<ReconciliationProgress>
{
    public long MaxLiveBytes { get; private set; }

    public void Report(ReconciliationProgress value)
    {
        if (value.RangesDone % 8 == 1)
        {
            MaxLiveBytes = Math.Max(MaxLiveBytes, GC.GetTotalMemory(forceFullCollection: true));
        }
    }
}
