using System.CommandLine;

namespace SnapshotService.Cli;

/// <summary>Options every command accepts (recursive on the root command).</summary>
internal sealed class GlobalOptions
{
    public const string DefaultEndpoint = "http://127.0.0.1:5081";
    public const string EndpointVariable = "SNAPSHOTCTL_ENDPOINT";

    public const string NoColorVariable = "NO_COLOR";
    public const string ApiKeyVariable = "SNAPSHOTCTL_API_KEY";
    public const string TokenVariable = "SNAPSHOTCTL_TOKEN";

    public GlobalOptions(Func<string, string?> environment)
    {
        Environment = environment;
        Endpoint = new Option<string>("--endpoint")
        {
            Description = $"The service's gRPC (HTTP/2) endpoint; the environment variable {EndpointVariable} sets the default.",
            Recursive = true,
            DefaultValueFactory = _ => environment(EndpointVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultEndpoint,
        };
        Json = new Option<bool>("--json")
        {
            Description = "Print the response as proto3 JSON (lowerCamelCase names, 64-bit integers as strings).",
            Recursive = true,
        };
        ApiKey = new Option<string?>("--api-key")
        {
            Description = $"An API key of the service (SnapshotService:Auth:Mode=ApiKey); default: the environment variable {ApiKeyVariable}.",
            Recursive = true,
            DefaultValueFactory = _ => environment(ApiKeyVariable) is { Length: > 0 } key ? key : null,
        };
        Token = new Option<string?>("--token")
        {
            Description = $"A bearer token for the service's audience (SnapshotService:Auth:Mode=Jwt), e.g. from 'az account get-access-token'; default: {TokenVariable}.",
            Recursive = true,
            DefaultValueFactory = _ => environment(TokenVariable) is { Length: > 0 } token ? token : null,
        };
        NoColor = new Option<bool>("--no-color")
        {
            Description = $"No colour in tables and progress (also when the variable {NoColorVariable} is set, or when output is not a terminal).",
            Recursive = true,
        };
    }

    /// <summary>Reads environment variables (the process's, or a test's).</summary>
    public Func<string, string?> Environment { get; }

    public Option<bool> NoColor { get; }

    public Option<string?> ApiKey { get; }

    public Option<string?> Token { get; }

    public Option<string> Endpoint { get; }

    public Option<bool> Json { get; }
}
