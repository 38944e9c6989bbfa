using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using SnapshotService.Host.Extensions;
using SnapshotService.Testing;

namespace SnapshotService.Host.Tests;

/// <summary>
/// The operator page shows API refusals inline, in words: served by <see cref="OperatorPageExtensions.MapOperatorPage"/>
/// on a small loopback server whose <c>/v1/…</c> routes refuse every call, as the API does with
/// authentication on and no (or a too weak) key.
/// </summary>
public sealed partial class OperatorPageErrorTests
{
    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, 16, "401 Unauthorized: the API requires authentication. Enter an API key above.")]
    [InlineData(HttpStatusCode.Forbidden, 7, "403 Forbidden: this API key may not read /v1/sources")]
    public async Task operator_page_shows_an_api_refusal_inline(HttpStatusCode status, int grpcCode, string expected)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        await using var app = builder.Build();
        app.MapOperatorPage();
        app.MapGet("/v1/{**path}", () => Results.Json(new { code = grpcCode, message = "refused by the test server", details = Array.Empty<object>() }, statusCode: (int)status));
        await app.StartAsync();

        var run = await HeadlessChromium.DumpDomAsync($"http://127.0.0.1:{port}/ui/", TimeSpan.FromSeconds(3));

        var errors = ErrorBox().Match(run.Output);
        Assert.True(errors.Success, $"The page shows no error box:\n{run.Output}");
        Assert.Contains(expected, errors.Value, StringComparison.Ordinal);
        Assert.Contains("refused by the test server", errors.Value, StringComparison.Ordinal);
        Assert.Contains("No data yet: see the error above.", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("data-loaded=\"true\"", run.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex("<div id=\"errors\"[^>]*>.*?</div>", RegexOptions.Singleline)]
    private static partial Regex ErrorBox();
}
