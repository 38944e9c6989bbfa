using SnapshotService.Host.Extensions;

namespace SnapshotService.Host;

/// <summary>
/// Builds the host the same way Program.cs does, for in-process use (tests, tools): start it with
/// <c>await app.StartAsync()</c> and stop it with <c>await app.StopAsync()</c>/<c>DisposeAsync()</c>.
/// </summary>
public static class SnapshotServiceApp
{
    /// <summary>Builds the app; <paramref name="args"/> take <c>--Key=Value</c> configuration overrides.</summary>
    public static WebApplication Create(string[] args) => Create(new WebApplicationOptions { Args = args });

    /// <summary>
    /// Builds the app with explicit options, e.g. a <see cref="WebApplicationOptions.ContentRootPath"/>
    /// without an appsettings.json so only the given arguments and the built-in defaults apply.
    /// </summary>
    public static WebApplication Create(WebApplicationOptions options) => Create(options, configure: null);

    /// <summary>
    /// Builds the app and lets <paramref name="configure"/> add to the builder before it is built
    /// (tests add in-memory telemetry exporters this way).
    /// </summary>
    public static WebApplication Create(WebApplicationOptions options, Action<WebApplicationBuilder>? configure)
    {
        var builder = WebApplication.CreateBuilder(options);
        builder.AddSnapshotService();
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapSnapshotService();
        return app;
    }
}
