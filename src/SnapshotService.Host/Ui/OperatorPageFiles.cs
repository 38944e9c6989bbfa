using System.Security.Cryptography;
using System.Reflection;
using Microsoft.Net.Http.Headers;

namespace SnapshotService.Host.Ui;

/// <summary>
/// The operator page's files (Ui/*.html, *.js, *.css), embedded in the Host assembly so the page
/// works whatever the content root is (a container, a test's empty temp directory) and cannot
/// drift from the API of the same build.
/// </summary>
internal sealed class OperatorPageFiles
{
    /// <summary>The page's own origin only: no inline script or style, no frames, no plugins, no forms posting away.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "font-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private const string ResourcePrefix = "SnapshotService.Host.Ui.";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
    };

    private readonly Dictionary<string, OperatorPageFile> _files;

    private OperatorPageFiles(Dictionary<string, OperatorPageFile> files) => _files = files;

    /// <summary>Reads every embedded page file once; fails at start-up (not on the first request) when one is missing.</summary>
    public static OperatorPageFiles Load()
    {
        var assembly = typeof(OperatorPageFiles).Assembly;
        var files = new Dictionary<string, OperatorPageFile>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var name = resource[ResourcePrefix.Length..];
            if (!ContentTypes.TryGetValue(Path.GetExtension(name), out var contentType))
            {
                continue;
            }
            var bytes = Read(assembly, resource);
            var etag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..32]}\"");
            files[name] = new OperatorPageFile(bytes, contentType, etag);
        }
        if (!files.ContainsKey("index.html"))
        {
            throw new InvalidOperationException("The operator page (embedded resource Ui/index.html) is missing from the Host assembly; check the EmbeddedResource items of SnapshotService.Host.csproj.");
        }
        return new OperatorPageFiles(files);
    }

    /// <summary>The file named <paramref name="name"/> (e.g. "operator.js"), or null when the page has none by that name.</summary>
    public OperatorPageFile? Find(string name) => _files.GetValueOrDefault(name);

    private static byte[] Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded resource '{resource}' cannot be read.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}

/// <summary>One page file with its content type and a strong ETag (the content hash) for conditional requests.</summary>
internal sealed record OperatorPageFile(byte[] Content, string ContentType, EntityTagHeaderValue ETag);
