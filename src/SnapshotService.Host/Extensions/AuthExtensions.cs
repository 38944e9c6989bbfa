using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using SnapshotService.Host.Auth;
using SnapshotService.Host.Configuration;

namespace SnapshotService.Host.Extensions;

internal static class AuthExtensions
{
    public const string AuthSection = "SnapshotService:Auth";

    /// <summary>
    /// Registers the scheme <c>SnapshotService:Auth:Mode</c> names (API keys or JWT bearer) and the
    /// settings the gRPC authorization interceptor reads. Mode=None registers no scheme.
    /// </summary>
    public static IHostApplicationBuilder AddSnapshotServiceAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IValidateOptions<SnapshotServiceHostOptions>, AuthSettingsValidator>();
        builder.Services.AddOptions<AuthSettings>().BindSection(AuthSection);
        var auth = builder.Configuration.ReadLeniently<AuthSettings>(AuthSection);
        switch (auth.Mode)
        {
            case AuthMode.ApiKey:
                builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
                    .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, _ => { });
                break;
            case AuthMode.Jwt:
                builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
                    .AddJwtBearer(options => ConfigureJwt(options, auth.Jwt));
                break;
            default:
                break;
        }
        return builder;
    }

    /// <summary>Authenticates every request (the interceptor decides per RPC; health, metrics and /ui stay open).</summary>
    public static WebApplication UseSnapshotServiceAuth(this WebApplication app)
    {
        if (app.Services.GetService<IAuthenticationSchemeProvider>() is not null)
        {
            app.UseAuthentication();
        }
        return app;
    }

    private static void ConfigureJwt(JwtBearerOptions options, JwtSettings jwt)
    {
        options.MapInboundClaims = false; // keep "roles" as "roles", not a long URI
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidAudience = jwt.Audience,
            RoleClaimType = jwt.RoleClaim,
            NameClaimType = "name",
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromMinutes(1),
        };
        if (jwt.SigningKey.Length > 0)
        {
            // Development and tests: a local key, so no metadata is fetched from anywhere.
            options.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(Convert.FromBase64String(jwt.SigningKey));
            options.TokenValidationParameters.ValidIssuer = jwt.Issuer;
            options.RequireHttpsMetadata = false;
            options.Configuration = new Microsoft.IdentityModel.Protocols.OpenIdConnect.OpenIdConnectConfiguration { Issuer = jwt.Issuer };
        }
        else
        {
            options.Authority = jwt.Authority;
        }
        options.Events = new JwtBearerEvents
        {
            // Entra ID puts app roles in "roles" as an array; other issuers use "role" — accept both.
            OnTokenValidated = context =>
            {
                if (context.Principal?.Identity is ClaimsIdentity identity && jwt.RoleClaim != "role")
                {
                    foreach (var role in identity.FindAll("role").ToList())
                    {
                        identity.AddClaim(new Claim(jwt.RoleClaim, role.Value));
                    }
                }
                return Task.CompletedTask;
            },
        };
    }
}
