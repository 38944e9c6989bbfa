using System.Net;

namespace SnapshotService.Host.Configuration;

/// <summary>A parsed <c>http://HOST:PORT</c> endpoint setting.</summary>
internal sealed record ListenAddress(IPAddress? Address, bool AnyAddress, int Port)
{
    /// <summary>Parses <paramref name="url"/>; returns null and a problem naming <paramref name="setting"/> when it is not usable.</summary>
    public static ListenAddress? TryParse(string? url, string setting, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(url))
        {
            problem = $"{setting} is required (e.g. http://127.0.0.1:5080).";
            return null;
        }
        // '*' and '+' are not valid URI hosts; treat them as "every interface" like ASPNETCORE_URLS does.
        var normalized = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
        if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            problem = $"{setting} must be an http:// URL with a host and port (was '{url}'); TLS is terminated in front of the service.";
            return null;
        }
        if (uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query))
        {
            problem = $"{setting} must not have a path (was '{url}').";
            return null;
        }
        if (uri.Port is < 1 or > 65535)
        {
            problem = $"{setting} port must be between 1 and 65535 (was '{url}').";
            return null;
        }
        if (uri.IsLoopback && uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new ListenAddress(IPAddress.Loopback, AnyAddress: false, uri.Port);
        }
        if (!IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address))
        {
            problem = $"{setting} host must be an IP address, 'localhost' or '*' (was '{uri.Host}').";
            return null;
        }
        var any = address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
        return new ListenAddress(any ? null : address, any, uri.Port);
    }
}
