using Microsoft.AspNetCore.Authorization;
using SnapshotService.Host.Ui;

namespace SnapshotService.Host.Extensions;

/// <summary>The operator page at <c>/ui</c>: static HTML, JS and CSS that read the JSON API from the browser.</summary>
internal static class OperatorPageExtensions
{
    /// <summary>Where the page lives on the HTTP port.</summary>
    public const string BasePath = "/ui";

    /// <summary>
    /// Maps <c>/ui</c> and <c>/ui/</c> (the page; routing treats both alike, and the page names its
    /// script and styles by absolute path, so either works) and <c>/ui/{file}</c> (its script and
    /// styles). The files are anonymous: they hold no data; every API call the page makes carries
    /// the operator's key and is authorized by the API itself.
    /// </summary>
    public static IEndpointRouteBuilder MapOperatorPage(this IEndpointRouteBuilder endpoints)
    {
        var files = OperatorPageFiles.Load();
        endpoints.MapGet(BasePath + "/{file?}", (HttpContext context, string? file) => Serve(context, files, file ?? "index.html"))
            .WithMetadata(new AllowAnonymousAttribute())
            .ExcludeFromDescription();
        return endpoints;
    }

    private static IResult Serve(HttpContext context, OperatorPageFiles files, string name)
    {
        if (files.Find(name) is not { } file)
        {
            return Results.NotFound();
        }
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = OperatorPageFiles.ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        // Revalidate on every load (cheap: 304 by ETag) so an upgraded host never runs an old script against a new API.
        headers.CacheControl = "no-cache";
        return Results.Bytes(file.Content, file.ContentType, entityTag: file.ETag);
    }
}
