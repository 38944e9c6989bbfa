using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using SnapshotService.Capture;
using SnapshotService.Log;
using SnapshotService.Sources.Cosmos;
using SnapshotService.Storage;
using SnapshotService.Testing.Cosmos;

namespace SnapshotService.Benchmarks;

/// <summary>
/// Cosmos DB capture against the gateway test server with 1, 2 and 4 feed ranges: the adapter
/// (one reader per range) through CapturePipeline into an export log, against a baseline measured
/// in the same run — the SDK alone reading every range's change feed in parallel, parsing nothing
/// but the page. The test server (one Node process) is the ceiling for both; the ratio says what
/// our pipeline costs on top of reading the feed.
/// </summary>
internal sealed class CosmosBenchmark(BenchArguments args, string scratch)
{
    private const string SourceId = "bench-cosmos";
    private const int PageSize = 100;
    private static readonly int[] RangeCounts = [1, 2, 4];

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var loadBefore = MachineInfo.LoadAverage();
        var documents = args.CosmosDocuments;
        Console.WriteLine($"cosmos: {documents:N0} documents of ~{args.CosmosDocumentBytes} B per container, feed ranges {string.Join("/", RangeCounts)}, {args.Runs} run(s)");
        var rows = new List<(int Ranges, double Raw, double Ours)>();
        foreach (var ranges in RangeCounts)
        {
            await using var server = await CosmosGatewayServer.StartAsync(ranges);
            using var client = new CosmosClient(server.Endpoint.ToString(), server.Key, new CosmosClientOptions
            {
                ConnectionMode = ConnectionMode.Gateway,
                LimitToEndpoint = true,
                ServerCertificateCustomValidationCallback = server.ValidateServerCertificate,
            });
            var database = (await client.CreateDatabaseAsync("bench", cancellationToken: cancellationToken)).Database;
            var container = (await database.CreateContainerAsync("items", "/pk", cancellationToken: cancellationToken)).Container;
            await LoadAsync(container, documents, args.CosmosDocumentBytes, cancellationToken);
            var options = new CosmosSourceOptions
            {
                Endpoint = server.Endpoint.ToString(),
                Database = "bench",
                Container = "items",
                AuthMode = CosmosAuthMode.Key,
                Key = server.Key,
                ConnectionMode = CosmosConnectionMode.Gateway,
                LimitToEndpoint = true,
                MaxItemCount = PageSize,
                PollDelay = TimeSpan.FromMilliseconds(20),
            };
            // Untimed warm-up of both paths: jitted code and open connections for the measured runs.
            await RawFeedAsync(container, documents, cancellationToken);
            await CaptureAsync(client, options, documents, Path.Combine(scratch, $"cosmos-{ranges}-warm-up"), cancellationToken);
            var raw = new List<double>();
            var ours = new List<double>();
            for (var run = 0; run < args.Runs; run++)
            {
                raw.Add(await RawFeedAsync(container, documents, cancellationToken));
                ours.Add(await CaptureAsync(client, options, documents, Path.Combine(scratch, $"cosmos-{ranges}-{run}"), cancellationToken));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {ranges} range(s), run {run + 1}: raw SDK feed {documents / raw[^1]:N0}/s, capture {documents / ours[^1]:N0}/s, ratio {ours[^1] / raw[^1]:0.00}×"));
            }
            rows.Add((ranges, Stats.Median(raw), Stats.Median(ours)));
        }
        return Report(rows, documents, loadBefore);
    }

    private static async Task LoadAsync(Container container, int documents, int bytes, CancellationToken cancellationToken)
    {
        var filler = new string('x', Math.Max(0, bytes - 60));
        await Parallel.ForEachAsync(Enumerable.Range(0, documents), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var json = $$"""{"id":"d{{i:D7}}","pk":"p{{i % 997}}","n":{{i}},"f":"{{filler}}"}""";
            using var response = await container.UpsertItemStreamAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), new PartitionKey($"p{i % 997}"), cancellationToken: ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"load failed: {response.StatusCode} {response.ErrorMessage}");
            }
        });
    }

    /// <summary>The SDK alone: one task per feed range reads its change feed from the beginning until 304, counting items.</summary>
    private static async Task<double> RawFeedAsync(Container container, int documents, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var ranges = await container.GetFeedRangesAsync(cancellationToken);
        var counts = await Task.WhenAll(ranges.Select(async range =>
        {
            var iterator = container.GetChangeFeedStreamIterator(ChangeFeedStartFrom.Beginning(range), ChangeFeedMode.LatestVersion, new ChangeFeedRequestOptions { PageSizeHint = PageSize });
            var count = 0;
            while (true)
            {
                using var response = await iterator.ReadNextAsync(cancellationToken);
                if (response.StatusCode == HttpStatusCode.NotModified)
                {
                    return count;
                }
                using var page = await JsonDocument.ParseAsync(response.Content, cancellationToken: cancellationToken);
                count += page.RootElement.GetProperty("Documents").GetArrayLength();
            }
        }));
        var seconds = watch.Elapsed.TotalSeconds;
        return counts.Sum() == documents ? seconds : throw new InvalidOperationException($"raw feed read {counts.Sum()} items; expected {documents}");
    }

    /// <summary>The adapter through the capture pipeline into an export log on disk, until every document is committed.</summary>
    private static async Task<double> CaptureAsync(CosmosClient client, CosmosSourceOptions options, int documents, string dir, CancellationToken cancellationToken)
    {
        var log = await ExportLog.OpenAsync(new FileSystemObjectStore(dir), SourceId, new ExportLogOptions(), cancellationToken);
        await using var source = new CosmosChangeSource(SourceId, options, client);
        var pipeline = new CapturePipeline(source, log, new CaptureOptions());
        var watch = Stopwatch.StartNew();
        await using (pipeline)
        {
            pipeline.Start();
            while (pipeline.Head.LastSeq < documents)
            {
                if (pipeline.Completion.IsCompleted)
                {
                    await pipeline.Completion;
                    throw new InvalidOperationException("capture stopped early");
                }
                await pipeline.FlushAsync(cancellationToken);
                await Task.Delay(5, cancellationToken);
            }
            var seconds = watch.Elapsed.TotalSeconds;
            await pipeline.StopAsync(cancellationToken);
            Directory.Delete(dir, recursive: true);
            return seconds;
        }
    }

    private string Report(List<(int Ranges, double Raw, double Ours)> rows, int documents, string loadBefore)
    {
        var text = new StringBuilder();
        text.AppendLine("## Cosmos DB capture (gateway test server)");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Initial load of {documents:N0} documents (~{args.CosmosDocumentBytes} B) through the change feed from the beginning, LatestVersion, {PageSize} items per page.");
        text.AppendLine("Baseline, same run: the .NET SDK alone reading every feed range in parallel until 304 (no parsing beyond the page, no export).");
        text.AppendLine("Ours: `CosmosChangeSource` (one reader per feed range) → `CapturePipeline` → export log on the file system, until every document is committed.");
        text.AppendLine("The test server is one Node process on this machine: it is the ceiling for both, and a real account's numbers depend on its RU/s instead.");
        text.AppendLine();
        text.AppendLine("| Feed ranges | Raw SDK feed read | Capture (ours) | Ours / raw time |");
        text.AppendLine("| ---: | ---: | ---: | ---: |");
        foreach (var (ranges, raw, ours) in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {ranges} | {documents / raw:N0} changes/s | {documents / ours:N0} changes/s | {ours / raw:0.00}× |");
        }
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- Medians of {args.Runs} run(s) per range count.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {MachineInfo.Describe()}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Load average (1/5/15 min) before → after: {loadBefore} → {MachineInfo.LoadAverage()}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Command: `{BenchmarkCommand.CommandLine(args)}`");
        return text.ToString();
    }
}
