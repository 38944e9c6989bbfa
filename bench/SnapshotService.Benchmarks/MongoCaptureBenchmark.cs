using System.Diagnostics;
using System.Globalization;
using System.Text;
using MongoDB.Bson;
using MongoDB.Driver;
using SnapshotService.Capture;
using SnapshotService.Log;
using SnapshotService.Sources.Mongo;
using SnapshotService.Storage;
using SnapshotService.Testing.Mongo;

namespace SnapshotService.Benchmarks;

/// <summary>
/// Capture from MongoDB through the real driver against the wire-protocol test server: N inserts
/// are made while capture is stopped, then capture resumes from its committed resume token and
/// commits them all. Baseline, same run, same server and backlog: the driver alone reading the
/// change stream of those N inserts (no conversion, hashing, compression or commits) — the test
/// server's raw serving rate, so the ratio says what our pipeline costs on top of reading.
/// </summary>
internal sealed class MongoCaptureBenchmark(BenchArguments args, string scratch)
{
    private const string Database = "bench";

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var loadBefore = MachineInfo.LoadAverage();
        var changes = args.Quick ? 5_000 : (int)Math.Min(args.CaptureChanges, 200_000);
        await using var server = await MongoWireServer.StartAsync(new MongoWireServerOptions { OplogCapacity = (changes * 2) + 1_000 }, cancellationToken);
        var client = new MongoClient(server.ConnectionString);
        var raw = new List<double>();
        var ours = new List<double>();
        long documentBytes = 0;
        for (var run = 0; run < args.Runs; run++)
        {
            var collectionName = $"c{run}";
            await client.GetDatabase(Database).CreateCollectionAsync(collectionName, cancellationToken: cancellationToken);
            var collection = client.GetDatabase(Database).GetCollection<BsonDocument>(collectionName);
            var store = new FileSystemObjectStore(Path.Combine(scratch, $"mongo-{run}"), durable: false);
            var options = new MongoSourceOptions { ConnectionString = server.ConnectionString, Database = Database, Collection = collectionName, BatchSize = 1000 };
            var sourceId = $"mongo-{run}";

            // The source's first start: an empty collection, so the backfill ends at once and the resume token is saved.
            await CaptureUntilAsync(store, sourceId, options, head => !head.Position.IsStart, cancellationToken);
            var startTime = server.Data.ClusterTime;
            documentBytes = await InsertAsync(collection, changes, args.DocumentBytes, cancellationToken);

            var watch = Stopwatch.StartNew();
            await ReadStreamAsync(collection, startTime, changes, cancellationToken);
            raw.Add(watch.Elapsed.TotalSeconds);

            watch.Restart();
            await CaptureUntilAsync(store, sourceId, options, head => head.LastSeq >= changes, cancellationToken);
            ours.Add(watch.Elapsed.TotalSeconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  mongo run {run + 1}: driver alone {raw[^1]:0.000} s, capture {ours[^1]:0.000} s for {changes:N0} changes"));
        }
        return Report(changes, documentBytes, raw, ours, loadBefore);
    }

    private static async Task CaptureUntilAsync(IObjectStore store, string sourceId, MongoSourceOptions options, Func<LogHead, bool> done, CancellationToken cancellationToken)
    {
        var log = await ExportLog.OpenAsync(store, sourceId, new ExportLogOptions(), cancellationToken);
        await using var source = new MongoChangeSource(sourceId, options);
        await using var pipeline = new CapturePipeline(source, log, new CaptureOptions { PositionOnlyCommitInterval = TimeSpan.FromMilliseconds(100) });
        pipeline.Start();
        while (!done(pipeline.Head))
        {
            if (pipeline.Completion.IsCompleted)
            {
                await pipeline.Completion;
                throw new InvalidOperationException("Capture stopped early.");
            }
            await Task.Delay(5, cancellationToken);
        }
        await pipeline.StopAsync(cancellationToken);
    }

    /// <summary>Inserts documents of about <paramref name="bytes"/> each in batches; returns the BSON bytes written.</summary>
    private static async Task<long> InsertAsync(IMongoCollection<BsonDocument> collection, int count, int bytes, CancellationToken cancellationToken)
    {
        var random = new Random(5);
        long total = 0;
        for (var start = 0; start < count; start += 1000)
        {
            var batch = new List<BsonDocument>();
            for (var i = start; i < Math.Min(count, start + 1000); i++)
            {
                var filler = new StringBuilder(bytes);
                while (filler.Length < bytes - 80)
                {
                    filler.Append(random.Next().ToString("x8", CultureInfo.InvariantCulture));
                }
                var document = new BsonDocument { ["_id"] = $"d{i:D8}", ["n"] = i, ["amount"] = new BsonDecimal128(i * 0.01m), ["text"] = filler.ToString() };
                total += document.ToBson().Length;
                batch.Add(document);
            }
            await collection.InsertManyAsync(batch, cancellationToken: cancellationToken);
        }
        return total;
    }

    private static async Task ReadStreamAsync(IMongoCollection<BsonDocument> collection, BsonTimestamp startTime, int changes, CancellationToken cancellationToken)
    {
        var options = new ChangeStreamOptions { StartAtOperationTime = startTime, FullDocument = ChangeStreamFullDocumentOption.UpdateLookup, BatchSize = 1000, MaxAwaitTime = TimeSpan.FromMilliseconds(200) };
        using var cursor = await collection.WatchAsync(options, cancellationToken);
        var seen = 0;
        while (seen < changes && await cursor.MoveNextAsync(cancellationToken))
        {
            seen += cursor.Current.Count();
        }
    }

    private string Report(int changes, long documentBytes, List<double> raw, List<double> ours, string loadBefore)
    {
        var rawMedian = Stats.Median(raw);
        var oursMedian = Stats.Median(ours);
        var text = new StringBuilder();
        text.AppendLine("## MongoDB capture");
        text.AppendLine();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"- Machine: {MachineInfo.Describe()}"));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"- Load average before → after: {loadBefore} → {MachineInfo.LoadAverage()}"));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"- Command: `{BenchmarkCommand.CommandLine(args)}`"));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"- Inputs: {changes:N0} inserts of ~{documentBytes / Math.Max(1, changes):N0} BSON bytes made while capture is stopped, then captured from the saved resume token; MongoDB.Driver 3.14 against the in-process wire-protocol test server (tests/SnapshotService.MongoTestServer); export store on local disk without fsync; {raw.Count} runs, medians"));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"- Measured: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC"));
        text.AppendLine();
        text.AppendLine("| what | median time | changes/s | MB/s (BSON) | runs |");
        text.AppendLine("| --- | ---: | ---: | ---: | --- |");
        text.AppendLine(Row("baseline: the driver alone reads the change stream", rawMedian, raw));
        text.AppendLine(Row("**capture into the export log**", oursMedian, ours));
        text.AppendLine();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Capture runs at **{rawMedian / oursMedian:0.00}×** the test server's raw serving rate (time {oursMedian / rawMedian:0.00}× the driver alone). The test server is single-node and in-process; a real replica set serves slower, so against one the ratio moves toward 1."));
        return text.ToString();

        string Row(string what, double seconds, List<double> all) => string.Create(CultureInfo.InvariantCulture,
            $"| {what} | {seconds:0.000} s | {changes / seconds:N0} | {documentBytes / 1e6 / seconds:N1} | {string.Join(", ", all.Select(s => s.ToString("0.000", CultureInfo.InvariantCulture)))} |");
    }
}
