using System.Diagnostics;
using SnapshotService.Testing.Cosmos;

namespace SnapshotService.CosmosTestServer.Tests;

/// <summary>The @azure/cosmos Node SDK (a client we did not write) reads the server's change feed.</summary>
public sealed class CrossCheckTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task the_node_sdk_reads_the_change_feed_incrementally_as_from_a_real_account(int ranges)
    {
        await using var server = await CosmosGatewayServer.StartAsync(partitionKeyRanges: ranges);
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = CosmosGatewayServer.PackageDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("crosscheck.mjs");
        info.ArgumentList.Add(server.Endpoint.ToString());
        // The server's certificate is self-signed; trust is switched off for this child process only.
        info.Environment["NODE_TLS_REJECT_UNAUTHORIZED"] = "0";
        // The test server has the all-versions mode and a split control: check both through the Node SDK too.
        info.Environment["CROSSCHECK_ALL_VERSIONS"] = "1";
        info.Environment["CROSSCHECK_SPLIT"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, $"crosscheck.mjs exited {process.ExitCode}:\n{await stderr}\n{await stdout}\nserver:\n{server.Output}");
        Assert.Contains($"{ranges} feed range(s)", await stdout, StringComparison.Ordinal);
    }
}
