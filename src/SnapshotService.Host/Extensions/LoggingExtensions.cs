using Microsoft.Extensions.Logging.Console;

namespace SnapshotService.Host.Extensions;

internal static class LoggingExtensions
{
    /// <summary>
    /// Console logging: one line per entry with a UTC timestamp (<c>simple</c>, the default), or
    /// one JSON object per entry for log collectors (<c>Logging:Console:FormatterName=json</c>).
    /// Options are set per formatter so the simple layout's timestamp format never leaks into JSON.
    /// Configuration under <c>Logging:Console:FormatterOptions</c> still overrides these defaults.
    /// </summary>
    public static IHostApplicationBuilder AddSnapshotServiceLogging(this IHostApplicationBuilder builder)
    {
        builder.Services.PostConfigure<SimpleConsoleFormatterOptions>(options =>
        {
            options.SingleLine = true;
            options.UseUtcTimestamp = true;
            options.TimestampFormat ??= "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        builder.Services.PostConfigure<JsonConsoleFormatterOptions>(options =>
        {
            options.UseUtcTimestamp = true;
            options.TimestampFormat ??= "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        return builder;
    }
}
