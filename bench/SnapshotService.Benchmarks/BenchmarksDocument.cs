using System.Text;

namespace SnapshotService.Benchmarks;

/// <summary>
/// docs/benchmarks.md: one section per benchmark between marker comments, so each subcommand
/// rewrites its own section and leaves the others (including later benchmarks') alone.
/// </summary>
internal static class BenchmarksDocument
{
    private static readonly (string Name, string Placeholder)[] Sections =
    [
        ("capture", "## Capture\n\n_Not measured yet: run `dotnet run -c Release --project bench/SnapshotService.Benchmarks -- capture`._\n"),
        ("anchor", "## Snapshot anchors\n\n_Not measured yet: run `dotnet run -c Release --project bench/SnapshotService.Benchmarks -- anchor`._\n"),
        ("materialize", "## Materialization\n\n_Not measured yet: run `dotnet run -c Release --project bench/SnapshotService.Benchmarks -- materialize`._\n"),
        ("reconcile", "## Reconciliation\n\n_Not measured yet (benchmark to come with reconciliation)._\n"),
        ("mongo", "## MongoDB capture\n\n_Not measured yet: run `dotnet run -c Release --project bench/SnapshotService.Benchmarks -- mongo`._\n"),
        ("reconcile-memory", "### Peak memory of a full run\n\n_Not measured yet: run `dotnet run -c Release --project bench/SnapshotService.Benchmarks -- reconcile-memory`._\n"),
        ("cosmos", "## Cosmos DB capture (gateway test server)\n\n_Not measured yet: run `dotnet run -c Release --project bench/SnapshotService.Benchmarks -- cosmos`._\n"),
    ];

    private const string Header = """
        # Benchmarks

        Measured by the console harness in `bench/SnapshotService.Benchmarks` (see `bench/README.md`).
        Each section is rewritten by its subcommand and says the machine, the inputs, the exact
        command line, the medians of several runs and the ratio to a baseline measured in the same run.
        Targets come from the design brief; absolute numbers depend on the machine, ratios much less.

        """;

    public static string FindPath()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SnapshotService.sln")))
            {
                return Path.Combine(dir.FullName, "docs", "benchmarks.md");
            }
        }
        throw new InvalidOperationException("Run the harness from inside the repository: SnapshotService.sln was not found above the current directory.");
    }

    public static void WriteSection(string name, string markdown)
    {
        var path = FindPath();
        var text = File.Exists(path) ? File.ReadAllText(path) : Header;
        foreach (var (section, placeholder) in Sections)
        {
            if (!text.Contains(Start(section), StringComparison.Ordinal))
            {
                text = text.TrimEnd('\n') + "\n\n" + Start(section) + "\n" + placeholder + End(section) + "\n";
            }
        }
        var from = text.IndexOf(Start(name), StringComparison.Ordinal);
        var to = text.IndexOf(End(name), from, StringComparison.Ordinal);
        var updated = new StringBuilder()
            .Append(text, 0, from + Start(name).Length).Append('\n')
            .Append(markdown.TrimEnd('\n')).Append('\n')
            .Append(text, to, text.Length - to)
            .ToString();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, updated);
        Console.WriteLine($"wrote section '{name}' of {path}");
    }

    private static string Start(string name) => $"<!-- bench:{name}:start -->";

    private static string End(string name) => $"<!-- bench:{name}:end -->";
}
