namespace SnapshotService.Host.Auth;

/// <summary>How callers of the API prove who they are: <c>SnapshotService:Auth</c>.</summary>
public sealed class AuthSettings
{
    /// <summary>None (default: anyone reaching the port may call everything), ApiKey, or Jwt (Entra ID).</summary>
    public AuthMode Mode { get; set; } = AuthMode.None;

    /// <summary>API keys by name (the name shows in logs, the key never): <c>ApiKeys:{name}:Key</c> and <c>:Role</c>.</summary>
    public Dictionary<string, ApiKeySettings> ApiKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Bearer tokens (Mode = Jwt).</summary>
    public JwtSettings Jwt { get; set; } = new();

    /// <summary>
    /// With Mode = None the host refuses to listen beyond loopback (a public port without
    /// authentication) unless this is true — for a network you secure some other way.
    /// </summary>
    public bool AllowUnauthenticatedPublicEndpoints { get; set; }
}

/// <summary>The authentication modes.</summary>
public enum AuthMode
{
    /// <summary>No authentication; only allowed on loopback unless explicitly overridden.</summary>
    None = 0,

    /// <summary>Static API keys (<c>Authorization: ApiKey …</c> or <c>X-Api-Key</c>), for local and small deployments.</summary>
    ApiKey = 1,

    /// <summary>JWT bearer tokens (Entra ID in Azure) with app roles.</summary>
    Jwt = 2,
}

/// <summary>One API key.</summary>
public sealed class ApiKeySettings
{
    /// <summary>The secret (at least 16 characters).</summary>
    public string Key { get; set; } = "";

    /// <summary><c>reader</c> or <c>operator</c>.</summary>
    public string Role { get; set; } = "";
}

/// <summary>JWT validation.</summary>
public sealed class JwtSettings
{
    /// <summary>The token issuer's OpenID authority, e.g. <c>https://login.microsoftonline.com/{tenant}/v2.0</c>.</summary>
    public string Authority { get; set; } = "";

    /// <summary>The audience tokens must carry (the API's application ID URI or client id).</summary>
    public string Audience { get; set; } = "";

    /// <summary>The claim holding roles (Entra app roles: <c>roles</c>).</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>Development and tests only: validate tokens with this symmetric key (base64, ≥ 32 bytes) instead of the authority's keys, so nothing is fetched.</summary>
    public string SigningKey { get; set; } = "";

    /// <summary>With <see cref="SigningKey"/>: the issuer tokens must carry.</summary>
    public string Issuer { get; set; } = "";
}
