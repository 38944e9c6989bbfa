using System.Diagnostics;
using System.Globalization;
using System.Text;
using SnapshotService.Capture;
using SnapshotService.Grains;
using SnapshotService.Log;
using SnapshotService.Simulated;
using SnapshotService.Snapshots;
using SnapshotService.Sources;
using SnapshotService.Storage;

namespace SnapshotService.Benchmarks;

/// <summary>
/// Anchor-creation latency on logs of different sizes: anchoring must cost the same whether the
/// log holds one million committed keys or ten million (O(1) metadata plus a binary search).
/// </summary>
internal sealed class AnchorBenchmark(BenchArguments args, string scratch)
{
    private const string SourceId = "bench";

    private string _loadBefore = "";
    private const int DocumentBytes = 100;
    // The capture pipeline's default commit size, so the logs have as many commits as captured ones
    // would (anchoring at a seq or time binary-searches commit records).
    private static readonly int BuildBatch = new CaptureOptions().MaxCommitChanges;
    private const int WarmUpPerMode = 20;

    private static readonly string[] Modes = ["latest", "at random seq", "at random time"];

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        _loadBefore = MachineInfo.LoadAverage();
        var results = new List<SizeResult>();
        foreach (var size in args.AnchorSizes)
        {
            var dir = Path.Combine(scratch, $"anchor-{size}");
            var store = new FileSystemObjectStore(dir);
            var buildSeconds = await BuildLogAsync(store, size, cancellationToken);
            var logBytes = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"anchor: built a log of {size:N0} keys in {buildSeconds:0.0} s ({logBytes / 1e6:N0} MB)"));
            var reader = new ExportLogReader(store, SourceId);
            var head = await reader.ReadHeadAsync(cancellationToken);
            // Anchoring at a time resolves to the last change at or before it, so any time from the
            // first change on can be anchored.
            var times = (From: head.FirstSourceTime!.Value, To: head.LastSourceTime!.Value);
            var anchors = new SnapshotAnchorStore(store);
            var random = new Random(42);

            foreach (var mode in Modes)
            {
                for (var i = 0; i < WarmUpPerMode; i++)
                {
                    await anchors.CreateAsync(SourceId, Command(mode, head, times, random), head, reader, cancellationToken);
                }
            }
            var perMode = Modes.ToDictionary(m => m, _ => (P50: new List<double>(), P99: new List<double>(), Max: new List<double>()));
            for (var run = 0; run < args.Runs; run++)
            {
                foreach (var mode in Modes)
                {
                    var latencies = new List<double>(args.AnchorsPerMode);
                    for (var i = 0; i < args.AnchorsPerMode; i++)
                    {
                        var command = Command(mode, head, times, random);
                        var watch = Stopwatch.StartNew();
                        await anchors.CreateAsync(SourceId, command, head, reader, cancellationToken);
                        latencies.Add(watch.Elapsed.TotalMilliseconds);
                    }
                    perMode[mode].P50.Add(Stats.Percentile(latencies, 50));
                    perMode[mode].P99.Add(Stats.Percentile(latencies, 99));
                    perMode[mode].Max.Add(latencies.Max());
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {size:N0} keys, run {run + 1}, {mode}: p50 {perMode[mode].P50[^1]:0.00} ms, p99 {perMode[mode].P99[^1]:0.00} ms, max {perMode[mode].Max[^1]:0.00} ms"));
                }
            }
            results.Add(new SizeResult(size, head.CommitNumber, logBytes, buildSeconds,
                Modes.ToDictionary(m => m, m => (Stats.Median(perMode[m].P50), Stats.Median(perMode[m].P99), Stats.Median(perMode[m].Max)))));
            Directory.Delete(dir, recursive: true);
        }
        return Report(results);
    }

    /// <summary>Writes the fill phase of a simulated history (every key inserted once) straight through ExportLog in big commits.</summary>
    private static async Task<double> BuildLogAsync(IObjectStore store, long keys, CancellationToken cancellationToken)
    {
        var options = new SimulatedSourceOptions { Seed = 1, KeySpace = (int)keys, MaxChanges = keys, DocumentBytes = DocumentBytes, ChangesPerSecond = 0 };
        await using var source = new SimulatedSource(SourceId, options);
        var log = await ExportLog.OpenAsync(store, SourceId, new ExportLogOptions(), cancellationToken);
        var watch = Stopwatch.StartNew();
        var position = SourcePosition.Start;
        while (!source.IsAtEnd(position))
        {
            var batch = await source.ReadChangesAsync(position, BuildBatch, cancellationToken);
            await log.AppendAsync(batch.Changes, batch.PositionAfter, cancellationToken);
            position = batch.PositionAfter;
        }
        return watch.Elapsed.TotalSeconds;
    }

    private static CreateSnapshotCommand Command(string mode, LogHead head, (DateTimeOffset From, DateTimeOffset To) times, Random random) => mode switch
    {
        "latest" => new CreateSnapshotCommand(null, null, null),
        "at random seq" => new CreateSnapshotCommand(null, random.NextInt64(1, head.LastSeq + 1), null),
        _ => new CreateSnapshotCommand(null, null, times.From + TimeSpan.FromTicks((long)(random.NextDouble() * (times.To - times.From).Ticks))),
    };

    private string Report(List<SizeResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("## Snapshot anchors");
        text.AppendLine();
        text.AppendLine("`SnapshotAnchorStore.CreateAsync` latency on export logs holding N committed keys (the fill phase of");
        text.AppendLine($"the simulated source: N upserts of {DocumentBytes} B documents, written through `ExportLog` in commits of {BuildBatch:N0},");
        text.AppendLine("the capture pipeline's default commit size, so the logs have as many commits as captured ones would),");
        text.AppendLine("anchoring at the latest seq, at random seqs and at random source times. Each create resolves the");
        text.AppendLine("anchor against the log (binary search over commit records for seq/time) and writes the anchor file");
        text.AppendLine("if absent (fsynced). Anchoring at a seq inside a commit, or at a time that falls inside one, also");
        text.AppendLine("decompresses that commit's segment and scans only the seq and source_time of its lines, so those");
        text.AppendLine("modes cost in proportion to the commit size (records per commit), not to the log size.");
        text.AppendLine("Latencies are per create; p50/p99/max are medians over the runs.");
        text.AppendLine();
        text.AppendLine($"- Machine: {MachineInfo.Describe()}");
        text.AppendLine($"- Load average (1/5/15 min) before → after: {_loadBefore} → {MachineInfo.LoadAverage()} (the machine is shared; above ~2 the absolute numbers suffer more than the ratios)");
        text.AppendLine($"- Command: `{BenchmarkCommand.CommandLine(args)}`");
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"- Inputs: logs of {string.Join(" and ", results.Select(r => r.Keys.ToString("N0", CultureInfo.InvariantCulture)))} keys; {WarmUpPerMode} warm-up creates per mode, then {args.AnchorsPerMode} creates per mode per run; {args.Runs} runs"));
        foreach (var r in results)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"- Log of {r.Keys:N0} keys: {r.Commits:N0} commits, {r.LogBytes / 1e6:N0} MB on disk, built in {r.BuildSeconds:0.0} s ({r.Keys / r.BuildSeconds:N0} changes/s)"));
        }
        text.AppendLine($"- Measured: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        text.AppendLine();
        text.AppendLine("| keys | mode | p50 | p99 | max |");
        text.AppendLine("| ---: | --- | ---: | ---: | ---: |");
        foreach (var r in results)
        {
            foreach (var mode in Modes)
            {
                var (p50, p99, max) = r.ByMode[mode];
                text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Keys:N0} | {mode} | {p50:0.00} ms | {p99:0.00} ms | {max:0.00} ms |"));
            }
        }
        text.AppendLine();
        var worstP99 = results.SelectMany(r => r.ByMode.Values).Max(v => v.P99);
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Target p99 < 20 ms: {(worstP99 < 20 ? "met" : "NOT met")} (worst p99 {worstP99:0.00} ms)."));
        if (results.Count >= 2)
        {
            var small = results[0];
            var large = results[^1];
            text.AppendLine();
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Size independence, {large.Keys:N0} vs {small.Keys:N0} keys ({(double)large.Keys / small.Keys:0}× the keys):"));
            text.AppendLine();
            text.AppendLine("| mode | p50 ratio | p99 ratio |");
            text.AppendLine("| --- | ---: | ---: |");
            foreach (var mode in Modes)
            {
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {mode} | {large.ByMode[mode].P50 / small.ByMode[mode].P50:0.00}× | {large.ByMode[mode].P99 / small.ByMode[mode].P99:0.00}× |"));
            }
        }
        return text.ToString();
    }

    private sealed record SizeResult(long Keys, long Commits, long LogBytes, double BuildSeconds, Dictionary<string, (double P50, double P99, double Max)> ByMode);
}
