using SnapshotService.Benchmarks;

return await BenchmarkCommand.RunAsync(args);
