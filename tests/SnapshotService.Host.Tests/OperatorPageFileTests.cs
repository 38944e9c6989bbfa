using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using SnapshotService.Testing;

namespace SnapshotService.Host.Tests;

/// <summary>
/// The operator page's files: served at /ui with a strict Content-Security-Policy, and written so
/// that they load nothing from outside the host (no external URL, no inline script or style).
/// </summary>
[Collection(HostCollection.Name)]
public sealed partial class OperatorPageFileTests(HostFixture host)
{
    /// <summary>The SVG namespace is a name the DOM API needs, not an address anything fetches.</summary>
    private const string SvgNamespace = "http://www.w3.org/2000/svg";

    private static readonly string UiDirectory = Path.Combine(RepositoryPaths.Root, "src", "SnapshotService.Host", "Ui");

    public static TheoryData<string> PageFiles => ["index.html", "operator.js", "operator.css"];

    [Theory]
    [MemberData(nameof(PageFiles))]
    public void page_files_name_no_address_outside_this_host(string name)
    {
        var text = File.ReadAllText(Path.Combine(UiDirectory, name)).Replace(SvgNamespace, "", StringComparison.Ordinal);

        var addresses = ExternalAddress().Matches(text).Select(m => m.Value).ToList();

        Assert.True(addresses.Count == 0, $"{name} names addresses outside this host: {string.Join(", ", addresses)}");
        Assert.DoesNotContain("@import", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void page_html_has_no_inline_script_style_or_event_handler()
    {
        var html = File.ReadAllText(Path.Combine(UiDirectory, "index.html"));

        Assert.DoesNotMatch(InlineScript(), html);
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(InlineAttribute(), html);
    }

    [Theory]
    [InlineData("/ui", "text/html")]
    [InlineData("/ui/", "text/html")]
    [InlineData("/ui/operator.js", "text/javascript")]
    [InlineData("/ui/operator.css", "text/css")]
    public async Task page_files_are_served_with_a_strict_content_security_policy(string path, string mediaType)
    {
        using var response = await host.Http.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task page_files_answer_not_modified_to_their_etag()
    {
        using var first = await host.Http.GetAsync(new Uri("/ui/operator.js", UriKind.Relative));
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/ui/operator.js", UriKind.Relative));
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag.Tag));
        using var second = await host.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Fact]
    public async Task unknown_page_file_is_404()
    {
        using var response = await host.Http.GetAsync(new Uri("/ui/secrets.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>Absolute URLs with a scheme, and protocol-relative ones (//host/...).</summary>
    [GeneratedRegex(@"(?i)\b(?:https?|wss?|ftp)://[^\s""'<>)]*|(?<![:/\w])//[a-z0-9-]+(?:\.[a-z0-9-]+)+/")]
    private static partial Regex ExternalAddress();

    [GeneratedRegex(@"(?i)<script(?![^>]*\bsrc=)[^>]*>")]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"(?i)\s(?:style|on[a-z]+)\s*=")]
    private static partial Regex InlineAttribute();
}
