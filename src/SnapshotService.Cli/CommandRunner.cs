using System.CommandLine;
using Grpc.Core;
using Grpc.Net.Client;
using SnapshotService.Cli.Output;

namespace SnapshotService.Cli;

/// <summary>Runs one RPC for a command: opens the channel, prints, and turns RPC failures into exit codes.</summary>
internal sealed class CommandRunner(CliConsole console, GlobalOptions globals)
{
    /// <summary>Calls fail after this long rather than hang on an unreachable or stuck server.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);

    public async Task<int> RunAsync(ParseResult parse, Func<CallContext, Task<int>> call, CancellationToken cancellationToken)
    {
        var endpoint = parse.GetValue(globals.Endpoint)!;
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var address) || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            await console.Error.WriteLineAsync($"error: --endpoint must be an http:// or https:// URL such as {GlobalOptions.DefaultEndpoint} (was '{endpoint}').");
            return ExitCodes.InvalidArgument;
        }
        var apiKey = parse.GetValue(globals.ApiKey);
        var token = parse.GetValue(globals.Token);
        if (apiKey is not null && token is not null)
        {
            await console.Error.WriteLineAsync("error: pass --api-key or --token, not both.");
            return ExitCodes.InvalidArgument;
        }
        using var channel = GrpcChannel.ForAddress(address, ChannelOptions.With(address, apiKey, token));
        var noColor = parse.GetValue(globals.NoColor) || globals.Environment(GlobalOptions.NoColorVariable) is { Length: > 0 };
        var context = new CallContext(channel, new Printer(console, parse.GetValue(globals.Json), noColor), DateTime.UtcNow + CallTimeout, cancellationToken);
        try
        {
            return await call(context);
        }
        catch (RpcException ex)
        {
            await console.Error.WriteLineAsync($"error: {ex.StatusCode}: {ex.Status.Detail}");
            if (ex.StatusCode == StatusCode.Unauthenticated && apiKey is null && token is null)
            {
                await console.Error.WriteLineAsync($"The service requires authentication: pass --api-key (or {GlobalOptions.ApiKeyVariable}) or --token (or {GlobalOptions.TokenVariable}).");
            }
            return ExitCodes.For(ex.StatusCode);
        }
    }
}

/// <summary>What a command's RPC needs.</summary>
internal sealed record CallContext(GrpcChannel Channel, Printer Printer, DateTime Deadline, CancellationToken CancellationToken);
