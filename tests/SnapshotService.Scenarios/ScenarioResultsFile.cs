using SnapshotService.Testing;
using Xunit.Abstractions;

namespace SnapshotService.Scenarios;

/// <summary>Collects the results of a test run in TestResults/scenario-results.md (one table, rows in run order).</summary>
public static class ScenarioResultsFile
{
    /// <summary>The one xUnit collection of every scenario class: they run one after another, never at the same time.</summary>
    public const string Collection = "scenarios";

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

    /// <summary>Prints the result's row, adds it to the file, and fails the test if anything was lost.</summary>
    public static async Task ReportAsync(ITestOutputHelper output, ScenarioResult result)
    {
        output.WriteLine(ScenarioResult.Table([result]));
        await AppendAsync(result);
        Assert.True(result.Lost == 0, $"{result.Lost} documents were lost or wrong: {result.Note}");
    }
}
