using System.Text.RegularExpressions;
using SnapshotService.Testing;

namespace SnapshotService.Infra.Tests;

/// <summary>
/// The host's Dockerfile, checked as text (no Docker engine here, so the image itself is not
/// built by the tests): non-root, the documented ports, the host's assembly, every project the
/// host references copied before restore, and only real settings in its environment.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly string Dockerfile = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "src/SnapshotService.Host/Dockerfile"));

    [Fact]
    public void the_image_runs_as_the_non_root_app_user()
    {
        var users = Regex.Matches(Dockerfile, @"(?m)^USER\s+(\S+)").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(users);
        Assert.Equal("$APP_UID", users[^1]);
    }

    [Fact]
    public void the_image_exposes_http_grpc_silo_and_gateway_ports()
    {
        var exposed = Regex.Matches(Dockerfile, @"(?m)^EXPOSE\s+(.+)$").SelectMany(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Order().ToList();
        Assert.Equal(["11111", "30000", "8080", "8081"], exposed);
        Assert.Contains("SnapshotService__Http__Url=http://+:8080", Dockerfile, StringComparison.Ordinal);
        Assert.Contains("SnapshotService__Grpc__Url=http://+:8081", Dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void the_entry_point_is_the_host_assembly_and_every_referenced_project_is_restored()
    {
        Assert.Contains($"ENTRYPOINT [\"dotnet\", \"{typeof(Program).Assembly.GetName().Name}.dll\"]", Dockerfile, StringComparison.Ordinal);
        foreach (var project in ProjectClosure(Path.Combine(RepositoryPaths.Root, "src/SnapshotService.Host/SnapshotService.Host.csproj")))
        {
            var relative = Path.GetRelativePath(RepositoryPaths.Root, project).Replace('\\', '/');
            Assert.True(Dockerfile.Contains($"COPY {relative} ", StringComparison.Ordinal), $"the Dockerfile does not copy {relative} before restore");
        }
    }

    [Fact]
    public void the_image_environment_names_only_real_settings()
    {
        var names = Regex.Matches(Dockerfile, @"(SnapshotService__[A-Za-z_]+)=").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.NotEmpty(names);
        HostSettings.AssertAllKnown(names, "src/SnapshotService.Host/Dockerfile");
    }

    private static IEnumerable<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.GetFullPath(project)]);
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next))
            {
                continue;
            }
            foreach (Match reference in ProjectReference().Matches(File.ReadAllText(next)))
            {
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(next)!, reference.Groups[1].Value.Replace('\\', '/'))));
            }
        }
        return seen;
    }

    [GeneratedRegex(@"<ProjectReference Include=""([^""]+)""")]
    private static partial Regex ProjectReference();
}
