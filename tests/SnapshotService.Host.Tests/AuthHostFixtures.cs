using System.Net.Http.Headers;
using Grpc.Core;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SnapshotService.Host.Tests;

/// <summary>A host with SnapshotService:Auth:Mode=ApiKey: one reader key, one operator key.</summary>
public sealed class ApiKeyHostFixture : HostFixture
{
    public const string ReaderKey = "reader-key-0123456789abcdef";
    public const string OperatorKey = "operator-key-0123456789abcdef";

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings() =>
    [
        new("SnapshotService:Auth:Mode", "ApiKey"),
        new("SnapshotService:Auth:ApiKeys:dashboards:Key", ReaderKey),
        new("SnapshotService:Auth:ApiKeys:dashboards:Role", "reader"),
        new("SnapshotService:Auth:ApiKeys:oncall:Key", OperatorKey),
        new("SnapshotService:Auth:ApiKeys:oncall:Role", "operator"),
    ];

    /// <summary>gRPC metadata carrying <paramref name="key"/>.</summary>
    public static Metadata Key(string key) => new() { { "authorization", $"ApiKey {key}" } };

    protected override Metadata ReaderCredentials => Key(ReaderKey);

    public HttpClient HttpWith(string? header, string? value)
    {
        var client = new HttpClient { BaseAddress = Http.BaseAddress };
        if (header is not null && value is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation(header, value);
        }
        return client;
    }
}

/// <summary>A host with SnapshotService:Auth:Mode=Jwt validating tokens with a local test key (no metadata is fetched).</summary>
public sealed class JwtHostFixture : HostFixture
{
    public const string Audience = "api://snapshotservice-tests";
    public const string Issuer = "https://issuer.snapshotservice.test/";
    public static readonly byte[] SigningKey = [.. Enumerable.Range(1, 48).Select(i => (byte)(i * 7))];

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings() =>
    [
        new("SnapshotService:Auth:Mode", "Jwt"),
        new("SnapshotService:Auth:Jwt:Audience", Audience),
        new("SnapshotService:Auth:Jwt:Issuer", Issuer),
        new("SnapshotService:Auth:Jwt:SigningKey", Convert.ToBase64String(SigningKey)),
    ];

    /// <summary>A signed token with Entra-style "roles".</summary>
    public static string Token(string[] roles, string audience = Audience, byte[]? key = null, DateTime? expires = null)
    {
        var claims = new Dictionary<string, object> { ["roles"] = roles, ["name"] = "test-user" };
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            Claims = claims,
            NotBefore = (expires ?? now.AddMinutes(10)).AddMinutes(-30),
            IssuedAt = (expires ?? now.AddMinutes(10)).AddMinutes(-30),
            Expires = expires ?? now.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? SigningKey), SecurityAlgorithms.HmacSha256),
        });
    }

    public static Metadata Bearer(string token) => new() { { "authorization", $"Bearer {token}" } };

    protected override Metadata ReaderCredentials => Bearer(Token(["reader"]));

    public HttpClient HttpWithBearer(string token)
    {
        var client = new HttpClient { BaseAddress = Http.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}

[CollectionDefinition(Name)]
public sealed class ApiKeyHostCollection : ICollectionFixture<ApiKeyHostFixture>
{
    public const string Name = "api-key-host";
}

[CollectionDefinition(Name)]
public sealed class JwtHostCollection : ICollectionFixture<JwtHostFixture>
{
    public const string Name = "jwt-host";
}
