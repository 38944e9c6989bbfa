using System.Diagnostics;

namespace SnapshotService.Testing.Mongo.Tests;

/// <summary>
/// The server checked by a client we did not write: the official Node.js driver runs
/// tests/mongo-crosscheck/crosscheck.mjs (insert, update, delete, find, watch with resume) against it.
/// </summary>
public sealed class NodeDriverCrossCheckTests
{
    [Fact]
    public async Task node_mongodb_driver_gets_the_answers_a_real_server_gives()
    {
        var directory = Path.Combine(RepositoryPaths.Root, "tests", "mongo-crosscheck");
        Assert.True(Directory.Exists(Path.Combine(directory, "node_modules", "mongodb")),
            $"The Node MongoDB driver is not installed in {directory}/node_modules. Run ./test.sh " +
            "(scripts/install-test-prerequisites.sh installs it with npm ci).");
        await using var server = await MongoWireServer.StartAsync();

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("crosscheck.mjs");
        start.ArgumentList.Add(server.ConnectionString);
        using var node = Process.Start(start) ?? throw new InvalidOperationException("node could not be started (is Node.js installed? Run ./test.sh).");
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await node.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(node.ExitCode == 0,
            $"crosscheck.mjs exited {node.ExitCode}.\nstderr:\n{await stderr}\nstdout:\n{await stdout}");
        Assert.Contains("all checks passed", await stdout, StringComparison.Ordinal);
    }
}
