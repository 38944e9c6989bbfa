using Microsoft.Extensions.Options;

namespace SnapshotService.Host.Configuration;

/// <summary>Checks the host settings at start; every message names the setting to fix.</summary>
internal sealed class SnapshotServiceHostOptionsValidator : IValidateOptions<SnapshotServiceHostOptions>
{
    public ValidateOptionsResult Validate(string? name, SnapshotServiceHostOptions options)
    {
        var problems = new List<string>();
        var http = ListenAddress.TryParse(options.Http.Url, "SnapshotService:Http:Url", out var httpProblem);
        var grpc = ListenAddress.TryParse(options.Grpc.Url, "SnapshotService:Grpc:Url", out var grpcProblem);
        AddIfNotNull(problems, httpProblem);
        AddIfNotNull(problems, grpcProblem);
        if (http is not null && grpc is not null && http.Port == grpc.Port)
        {
            problems.Add($"SnapshotService:Http:Url and SnapshotService:Grpc:Url use the same port {http.Port}; HTTP/1.1 JSON and HTTP/2 gRPC need separate ports.");
        }
        ExportStoreValidator.Check(problems, options.Export);
        CheckPort(problems, "SnapshotService:Orleans:SiloPort", options.Orleans.SiloPort);
        CheckPort(problems, "SnapshotService:Orleans:GatewayPort", options.Orleans.GatewayPort);
        if (options.Orleans.SiloPort == options.Orleans.GatewayPort)
        {
            problems.Add($"SnapshotService:Orleans:SiloPort and SnapshotService:Orleans:GatewayPort must differ (both are {options.Orleans.SiloPort}).");
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void CheckPort(List<string> problems, string setting, int port)
    {
        if (port is < 1 or > 65535)
        {
            problems.Add($"{setting} must be between 1 and 65535 (was {port}).");
        }
    }

    private static void AddIfNotNull(List<string> problems, string? problem)
    {
        if (problem is not null)
        {
            problems.Add(problem);
        }
    }
}
