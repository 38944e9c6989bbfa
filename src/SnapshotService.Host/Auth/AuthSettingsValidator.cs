using System.Net;
using Microsoft.Extensions.Options;
using SnapshotService.Host.Configuration;

namespace SnapshotService.Host.Auth;

/// <summary>
/// Checks <c>SnapshotService:Auth</c> at start, and refuses a public listener without
/// authentication: with Mode=None the HTTP and gRPC URLs must be loopback unless
/// AllowUnauthenticatedPublicEndpoints says otherwise. Messages name the setting, never a secret.
/// </summary>
internal sealed class AuthSettingsValidator : IValidateOptions<SnapshotServiceHostOptions>
{
    private const int MinimumKeyLength = 16;

    public ValidateOptionsResult Validate(string? name, SnapshotServiceHostOptions options)
    {
        var auth = options.Auth;
        var problems = new List<string>();
        switch (auth.Mode)
        {
            case AuthMode.None:
                CheckLoopback(problems, auth, options.Http.Url, "SnapshotService:Http:Url");
                CheckLoopback(problems, auth, options.Grpc.Url, "SnapshotService:Grpc:Url");
                break;
            case AuthMode.ApiKey:
                if (auth.ApiKeys.Count == 0)
                {
                    problems.Add("SnapshotService:Auth:Mode is ApiKey but SnapshotService:Auth:ApiKeys is empty; add SnapshotService:Auth:ApiKeys:{name}:Key and :Role.");
                }
                foreach (var (keyName, key) in auth.ApiKeys)
                {
                    if (key.Key.Length < MinimumKeyLength)
                    {
                        problems.Add($"SnapshotService:Auth:ApiKeys:{keyName}:Key must be at least {MinimumKeyLength} characters (use a random string).");
                    }
                    if (!Roles.IsKnown(key.Role))
                    {
                        problems.Add($"SnapshotService:Auth:ApiKeys:{keyName}:Role must be '{Roles.Reader}' or '{Roles.Operator}' (was '{key.Role}').");
                    }
                }
                if (auth.ApiKeys.Values.Select(k => k.Key).Distinct(StringComparer.Ordinal).Count() != auth.ApiKeys.Count)
                {
                    problems.Add("SnapshotService:Auth:ApiKeys has two entries with the same Key; every key must be different.");
                }
                break;
            case AuthMode.Jwt:
                if (string.IsNullOrWhiteSpace(auth.Jwt.Audience))
                {
                    problems.Add("SnapshotService:Auth:Jwt:Audience is required with Mode=Jwt (the API's application ID URI or client id).");
                }
                if (auth.Jwt.SigningKey.Length > 0)
                {
                    if (!IsLongBase64(auth.Jwt.SigningKey))
                    {
                        problems.Add("SnapshotService:Auth:Jwt:SigningKey must be base64 of at least 32 bytes (development and tests only).");
                    }
                    if (string.IsNullOrWhiteSpace(auth.Jwt.Issuer))
                    {
                        problems.Add("SnapshotService:Auth:Jwt:Issuer is required with SnapshotService:Auth:Jwt:SigningKey.");
                    }
                }
                else if (!Uri.TryCreate(auth.Jwt.Authority, UriKind.Absolute, out var authority) || authority.Scheme != Uri.UriSchemeHttps)
                {
                    problems.Add($"SnapshotService:Auth:Jwt:Authority must be an https URL such as https://login.microsoftonline.com/{{tenant}}/v2.0 (was '{auth.Jwt.Authority}').");
                }
                if (string.IsNullOrWhiteSpace(auth.Jwt.RoleClaim))
                {
                    problems.Add("SnapshotService:Auth:Jwt:RoleClaim must name the claim that holds roles (Entra ID: roles).");
                }
                break;
            default:
                problems.Add($"SnapshotService:Auth:Mode must be None, ApiKey or Jwt (was {auth.Mode}).");
                break;
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void CheckLoopback(List<string> problems, AuthSettings auth, string url, string setting)
    {
        if (auth.AllowUnauthenticatedPublicEndpoints || ListenAddress.TryParse(url, setting, out _) is not { } address)
        {
            return;
        }
        if (address.AnyAddress || address.Address is null || !IPAddress.IsLoopback(address.Address))
        {
            problems.Add($"{setting} ({url}) listens beyond loopback while SnapshotService:Auth:Mode is None: anyone who reaches the port could change sources and delete snapshots. "
                + "Turn on SnapshotService:Auth:Mode (ApiKey or Jwt), bind to 127.0.0.1, or set SnapshotService:Auth:AllowUnauthenticatedPublicEndpoints=true if the network is secured another way.");
        }
    }

    private static bool IsLongBase64(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out var written) && written >= 32;
    }
}
