namespace SnapshotService.Testing;

/// <summary>Finds the repository and the build outputs of its programs from a test's base directory.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration the tests were built with (Debug or Release).</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>The directory holding a src/ program's build output, e.g. ProgramOutput("SnapshotService.Host").</summary>
    public static string ProgramOutput(string project) =>
        Path.Combine(Root, "src", project, "bin", Configuration, "net10.0");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SnapshotService.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"SnapshotService.sln not found above {AppContext.BaseDirectory}.");
    }
}
