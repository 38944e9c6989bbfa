namespace SnapshotService.Benchmarks;

/// <summary>Runs the requested benchmarks, prints their reports and rewrites their sections of docs/benchmarks.md.</summary>
internal static class BenchmarkCommand
{
    public static string CommandLine(BenchArguments args) =>
        "dotnet run -c Release --project bench/SnapshotService.Benchmarks -- " + string.Join(' ', args.Raw);

    public static async Task<int> RunAsync(string[] argv)
    {
        BenchArguments args;
        try
        {
            args = BenchArguments.Parse(argv);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            await Console.Error.WriteLineAsync(BenchArguments.Usage);
            return 2;
        }

        if (args.Command == "reconcile-child")
        {
            return await ReconcileMemoryBenchmark.RunChildAsync(args.ChildPhase, args.ReconcileDocuments, args.DataDirectory!, args.DocumentBytes);
        }
        Console.WriteLine($"machine: {MachineInfo.Describe()}");
        Console.WriteLine($"command: {CommandLine(args)}");
        var writeDocs = args.WriteDocs;
        if (writeDocs && !MachineInfo.IsOptimizedBuild)
        {
            Console.WriteLine("warning: this is a Debug build; numbers are printed but docs/benchmarks.md is left alone (use -c Release).");
            writeDocs = false;
        }

        var scratch = Path.Combine(args.DataDirectory ?? Path.GetTempPath(), $"snapsvc-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(scratch);
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        try
        {
            if (args.Command is "capture" or "all")
            {
                Publish("capture", await new CaptureBenchmark(args, scratch).RunAsync(cancel.Token), writeDocs);
            }
            if (args.Command is "anchor" or "all")
            {
                Publish("anchor", await new AnchorBenchmark(args, scratch).RunAsync(cancel.Token), writeDocs);
            }
            if (args.Command is "materialize" or "all")
            {
                Publish("materialize", await new MaterializeBenchmark(args, scratch).RunAsync(cancel.Token), writeDocs);
            }
            if (args.Command is "reconcile" or "all")
            {
                Publish("reconcile", await new ReconcileBenchmark(args, scratch).RunAsync(cancel.Token), writeDocs);
            }
            if (args.Command is "mongo" or "all")
            {
                Publish("mongo", await new MongoCaptureBenchmark(args, scratch).RunAsync(cancel.Token), writeDocs);
            }
            if (args.Command is "cosmos" or "all")
            {
                Publish("cosmos", await new CosmosBenchmark(args, scratch).RunAsync(cancel.Token), writeDocs);
            }
            if (args.Command is "reconcile-memory" or "all")
            {
                Publish("reconcile-memory", await new ReconcileMemoryBenchmark(args, scratch).RunAsync(cancel.Token), writeDocs);
            }
            return 0;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static void Publish(string section, string markdown, bool writeDocs)
    {
        Console.WriteLine();
        Console.WriteLine(markdown);
        if (writeDocs)
        {
            BenchmarksDocument.WriteSection(section, markdown);
        }
    }
}
