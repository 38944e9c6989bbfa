using SnapshotService.Testing;

namespace SnapshotService.Scenarios;

/// <summary>Collects the results of a test run in TestResults/scenario-results.md (one table, rows in run order).</summary>
public static class ScenarioResultsFile
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly List<ScenarioResult> Results = [];

    public static string Path { get; } = System.IO.Path.Combine(RepositoryPaths.Root, "TestResults", "scenario-results.md");

    public static async Task AppendAsync(ScenarioResult result)
    {
        await Gate.WaitAsync();
        try
        {
            Results.Add(result);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            await File.WriteAllTextAsync(Path, $"# Scenario results ({result.Size} size)\n\n" + ScenarioResult.Table(Results));
        }
        finally
        {
            Gate.Release();
        }
    }
}
