using SnapshotService.Cli;

return await SnapshotCtl.RunAsync(args, CliConsole.FromSystemConsole());
